// engagement_events and what each stored batch updates from them: item_stats and the users'
// author and kind affinities.
import { setTimeout as sleep } from 'node:timers/promises';
import { ItemStatus } from '@feedmesh/contracts';
import type pg from 'pg';
import type { StoredEngagementCounts } from '../engagement-counts.js';
import { DEADLOCK_DETECTED, sqlStateOf } from '../store-failure.js';

/** One validated engagement event; `index` is its place in the caller's batch. */
export interface EngagementEvent {
  index: number;
  userId: string;
  itemId: string;
  /** proto EngagementType number. */
  type: number;
  occurredAtMs: number;
  dwellMs: number | null;
}

/** An event not stored because an id it names does not hold: the field and why. */
export interface EngagementRejection {
  index: number;
  field: string;
  reason: string;
}

/** Post-update counters of one item whose stats changed, for the trending zsets and the read model. */
export interface UpdatedItemStats extends StoredEngagementCounts {
  itemId: string;
  kind: number;
  authorId: string;
  createdAtMs: number;
}

/** A user's post-update affinity to an author, score as Postgres prints it (`score::text`). */
export type UpdatedAuthorAffinity = [userId: string, authorId: string, score: string];
/** A user's post-update preference for an item kind, score as Postgres prints it. */
export type UpdatedKindAffinity = [userId: string, kind: number, score: string];

export interface StoredBatch {
  accepted: number;
  duplicates: number;
  rejections: EngagementRejection[];
  stats: UpdatedItemStats[];
  /** The affinity rows the batch changed, for the users' read-model hashes. */
  authorAffinities: UpdatedAuthorAffinity[];
  kindAffinities: UpdatedKindAffinity[];
}

// How much one event moves a user's affinity to the item's author and kind. Ranking reads the
// scores clamped to 0..1; updates keep them there (a brand-new row holds its first batch's sum).
const AFFINITY_DELTA = `CASE type WHEN 1 THEN 0.01 WHEN 5 THEN 0.02 WHEN 2 THEN 0.05 WHEN 3 THEN 0.1 WHEN 4 THEN -0.2 END`;

/** The batch's records as rows, each checked against items and users (`problem`: why it is not stored). */
const CHECKED_INPUT = `
input AS (
  SELECT idx, user_id, item_id, type, timestamptz 'epoch' + occurred_ms * interval '1 millisecond' AS occurred_at, dwell_ms
  FROM unnest($1::int[], $2::text[], $3::uuid[], $4::smallint[], $5::bigint[], $6::int[])
    AS t(idx, user_id, item_id, type, occurred_ms, dwell_ms)
), checked AS (
  SELECT input.*, items.author_id, items.kind,
         CASE WHEN items.id IS NULL THEN 'item_id' WHEN items.status <> ${ItemStatus.ACTIVE} THEN 'item_id:deleted' WHEN users.id IS NULL THEN 'user_id' END AS problem
  FROM input
  LEFT JOIN items ON items.id = input.item_id
  LEFT JOIN users ON users.id = input.user_id
), inserted AS (
  INSERT INTO engagement_events (user_id, item_id, type, occurred_at, dwell_ms)
  SELECT user_id, item_id, type, occurred_at, dwell_ms FROM checked WHERE problem IS NULL
  ORDER BY user_id, item_id, type, occurred_at
  ON CONFLICT DO NOTHING
  RETURNING user_id, item_id, type
)`;

/**
 * The counters' update from the events of CTE `source` (user_id, item_id, type), aggregated per
 * key and in key order (so concurrent statements lock rows in the same order): item_stats, then
 * both affinity tables, each upserted once per key; the changed rows come back (post-update
 * values, scores as text, exactly what the read model's Postgres fallback reads).
 */
const rollupFrom = (source: string) => `
enriched AS (
  SELECT ${source}.user_id, ${source}.item_id, ${source}.type, items.author_id, items.kind, ${AFFINITY_DELTA} AS delta
  FROM ${source} JOIN items ON items.id = ${source}.item_id
), stats AS (
  INSERT INTO item_stats AS s (item_id, views, likes, shares, hides, clicks)
  SELECT item_id,
         count(*) FILTER (WHERE type = 1), count(*) FILTER (WHERE type = 2), count(*) FILTER (WHERE type = 3),
         count(*) FILTER (WHERE type = 4), count(*) FILTER (WHERE type = 5)
  FROM ${source} GROUP BY item_id ORDER BY item_id
  ON CONFLICT (item_id) DO UPDATE SET
    views = s.views + EXCLUDED.views, likes = s.likes + EXCLUDED.likes, shares = s.shares + EXCLUDED.shares,
    hides = s.hides + EXCLUDED.hides, clicks = s.clicks + EXCLUDED.clicks, updated_at = now()
  RETURNING item_id, views, likes, shares, hides, clicks
), author_affinity AS (
  INSERT INTO user_author_affinity AS a (user_id, author_id, score)
  SELECT user_id, author_id, sum(delta) FROM enriched WHERE user_id <> author_id
  GROUP BY user_id, author_id ORDER BY user_id, author_id
  ON CONFLICT (user_id, author_id) DO UPDATE SET score = greatest(0, least(1, a.score + EXCLUDED.score)), updated_at = now()
  RETURNING user_id, author_id, score
), kind_affinity AS (
  INSERT INTO user_kind_affinity AS k (user_id, kind, score)
  SELECT user_id, kind, sum(delta) FROM enriched
  GROUP BY user_id, kind ORDER BY user_id, kind
  ON CONFLICT (user_id, kind) DO UPDATE SET score = greatest(0, least(1, k.score + EXCLUDED.score)), updated_at = now()
  RETURNING user_id, kind, score
)`;

/** The changed counters, as the read model takes them. */
const ROLLUP_RESULTS = `
  (SELECT coalesce(json_agg(json_build_array(user_id, author_id, score::text)), '[]') FROM author_affinity) AS author_affinities,
  (SELECT coalesce(json_agg(json_build_array(user_id, kind, score::text)), '[]') FROM kind_affinity) AS kind_affinities,
  (SELECT coalesce(json_agg(json_build_object(
      'itemId', stats.item_id, 'kind', items.kind, 'authorId', items.author_id,
      'createdAtMs', floor(extract(epoch FROM items.created_at) * 1000)::float8,
      'views', stats.views, 'likes', stats.likes, 'shares', stats.shares, 'hides', stats.hides, 'clicks', stats.clicks)), '[]')
   FROM stats JOIN items ON items.id = stats.item_id) AS stats`;

const BATCH_OUTCOME = `
  (SELECT count(*) FROM inserted)::int AS accepted,
  (SELECT count(*) FROM checked WHERE problem IS NULL)::int AS valid,
  (SELECT coalesce(json_agg(json_build_object('index', idx, 'problem', problem)), '[]') FROM checked WHERE problem IS NOT NULL) AS problems`;

/**
 * The whole batch in ONE statement (one round trip, one transaction), counters included
 * (ENGAGEMENT_ROLLUP=sync):
 * - the valid records arrive as column arrays (unnest) — no per-row statements;
 * - records naming an unknown or deleted item, or an unknown user, are found by the same joins
 *   and reported instead of stored (the events table has no foreign keys, by design);
 * - INSERT ... ON CONFLICT DO NOTHING stores only rows not already stored (nor repeated earlier
 *   in the batch), and RETURNING says which: a duplicate never fails the batch. Rows go in
 *   primary-key order, so two batches sharing a duplicate wait on each other in one order
 *   instead of deadlocking;
 * - item_stats and both affinity tables are updated from the inserted rows only (rollupFrom), so
 *   a retried batch never counts twice; item_stats is upserted last (the final SELECT reads its
 *   CTE last): every batch touches the popular items, so those row locks are the ones concurrent
 *   batches queue on; taking them last holds them only for the stats upsert and the commit.
 */
const STORE_BATCH = `WITH ${CHECKED_INPUT}, ${rollupFrom('inserted')}
SELECT ${BATCH_OUTCOME}, ${ROLLUP_RESULTS}`;

/**
 * The batch's events only (ENGAGEMENT_ROLLUP=async): checked and inserted as in STORE_BATCH, and
 * each new one queued for the rollup in the same statement. No counter row is locked, so
 * concurrent batches never wait on each other's popular items.
 */
const STORE_EVENTS = `WITH ${CHECKED_INPUT}, queued AS (
  INSERT INTO engagement_rollup_queue (user_id, item_id, type) SELECT user_id, item_id, type FROM inserted
)
SELECT ${BATCH_OUTCOME}`;

/**
 * One rollup: claims up to $1 queued events in sequence order (SKIP LOCKED: another runner's
 * claim is left to it), updates the counters from them and deletes them, in one statement, so
 * the counters move exactly once per event whatever crashes when.
 */
const ROLL_UP_QUEUED = `WITH claimed AS (
  DELETE FROM engagement_rollup_queue
  WHERE seq IN (SELECT seq FROM engagement_rollup_queue ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
  RETURNING user_id, item_id, type, queued_at
), ${rollupFrom('claimed')}
SELECT (SELECT count(*) FROM claimed)::int AS rolled,
       (SELECT floor(extract(epoch FROM min(queued_at)) * 1000)::float8 FROM claimed) AS oldest_queued_ms,
       ${ROLLUP_RESULTS}`;

/** Events waiting for the rollup, from the sequence's ends (cheap: two index probes; an upper bound while a claim is open). */
const PENDING_ROLLUP = `SELECT coalesce((SELECT max(seq) FROM engagement_rollup_queue) - (SELECT min(seq) FROM engagement_rollup_queue) + 1, 0)::float8 AS pending`;

const PROBLEM_REASONS: Record<string, [field: string, reason: string]> = {
  item_id: ['item_id', 'item does not exist'],
  'item_id:deleted': ['item_id', 'item was deleted'],
  user_id: ['user_id', 'user does not exist'],
};

const MAX_ATTEMPTS = 4;

interface BatchRow extends EventsRow {
  stats: UpdatedItemStats[];
  author_affinities: UpdatedAuthorAffinity[];
  kind_affinities: UpdatedKindAffinity[];
}

/**
 * The records as the statement's six column arrays, filled in one pass. Times go as whole epoch
 * milliseconds (bigint[]) rather than ISO strings: no Date or string per row here, no string
 * quoting in the array literal, no timestamp parsing in Postgres. Truncating keeps the stored
 * time (and so the duplicate key) what `new Date(ms)` gave before.
 */
function columnArrays(records: readonly EngagementEvent[]): [number[], string[], string[], number[], number[], Array<number | null>] {
  const n = records.length;
  const indexes = new Array<number>(n);
  const userIds = new Array<string>(n);
  const itemIds = new Array<string>(n);
  const types = new Array<number>(n);
  const occurredMs = new Array<number>(n);
  const dwellMs = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    indexes[i] = r.index;
    userIds[i] = r.userId;
    itemIds[i] = r.itemId;
    types[i] = r.type;
    occurredMs[i] = Math.trunc(r.occurredAtMs);
    dwellMs[i] = r.dwellMs;
  }
  return [indexes, userIds, itemIds, types, occurredMs, dwellMs];
}

/** One rollup's outcome: the events it rolled up, the oldest one's queue time, the changed counters. */
export interface RolledUp {
  rolled: number;
  /** When the oldest rolled-up event was queued (epoch ms); null when there was none. */
  oldestQueuedMs: number | null;
  stats: UpdatedItemStats[];
  authorAffinities: UpdatedAuthorAffinity[];
  kindAffinities: UpdatedKindAffinity[];
}

interface EventsRow {
  accepted: number;
  valid: number;
  problems: Array<{ index: number; problem: string }>;
}

function outcomeOf(row: EventsRow): Pick<StoredBatch, 'accepted' | 'duplicates' | 'rejections'> {
  return {
    accepted: row.accepted,
    duplicates: row.valid - row.accepted,
    rejections: row.problems.map(({ index, problem }) => {
      const [field, reason] = PROBLEM_REASONS[problem] ?? ['', problem];
      return { index, field, reason };
    }),
  };
}

export class EngagementRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Stores a validated batch's events and queues them for the rollup (STORE_EVENTS); the counters move later (`rollUpQueued`). */
  async storeEvents(events: readonly EngagementEvent[]): Promise<StoredBatch> {
    if (events.length === 0) return { accepted: 0, duplicates: 0, rejections: [], stats: [], authorAffinities: [], kindAffinities: [] };
    return { ...outcomeOf(await this.retryingDeadlocks<EventsRow>(STORE_EVENTS, columnArrays(events))), stats: [], authorAffinities: [], kindAffinities: [] };
  }

  /** Rolls up to `limit` queued events into the counters, in one transaction (ROLL_UP_QUEUED); retried on a deadlock. */
  async rollUpQueued(limit: number): Promise<RolledUp> {
    const row = await this.retryingDeadlocks<{ rolled: number; oldest_queued_ms: number | null } & Pick<BatchRow, 'stats' | 'author_affinities' | 'kind_affinities'>>(ROLL_UP_QUEUED, [limit]);
    return { rolled: row.rolled, oldestQueuedMs: row.oldest_queued_ms, stats: row.stats, authorAffinities: row.author_affinities, kindAffinities: row.kind_affinities };
  }

  /** About how many events wait for the rollup (PENDING_ROLLUP). */
  async pendingRollup(): Promise<number> {
    const { rows } = await this.pool.query<{ pending: number }>(PENDING_ROLLUP);
    return rows[0]!.pending;
  }

  /** Stores a validated batch; see STORE_BATCH. Retries the statement on a deadlock (it is atomic). */
  async store(events: readonly EngagementEvent[]): Promise<StoredBatch> {
    if (events.length === 0) return { accepted: 0, duplicates: 0, rejections: [], stats: [], authorAffinities: [], kindAffinities: [] };
    const row = await this.retryingDeadlocks<BatchRow>(STORE_BATCH, columnArrays(events));
    return { ...outcomeOf(row), stats: row.stats, authorAffinities: row.author_affinities, kindAffinities: row.kind_affinities };
  }

  /** The one row of an atomic statement, run again (a few times, after a short random pause) when Postgres picked it as a deadlock's victim. */
  private async retryingDeadlocks<Row extends pg.QueryResultRow>(sql: string, params: unknown[]): Promise<Row> {
    for (let attempt = 1; ; attempt++) {
      try {
        return (await this.pool.query<Row>(sql, params)).rows[0]!;
      } catch (error) {
        if (sqlStateOf(error) !== DEADLOCK_DETECTED || attempt >= MAX_ATTEMPTS) throw error;
        await sleep(Math.random() * 20 * attempt);
      }
    }
  }
}
