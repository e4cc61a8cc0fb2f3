import type pg from 'pg';
import type { RecallCandidate } from './recall-candidate.js';
import { isUuid } from './uuid.js';

export interface CandidateStats {
  views: number;
  likes: number;
  shares: number;
  hides: number;
}

export interface HydratedCandidate extends RecallCandidate {
  stats: CandidateStats;
}

// One query for the whole batch: items by primary key, left-joined to their counters (an item
// without a stats row has zero engagement). Deleted items come back with status 2.
const STATS_SQL = `
  SELECT i.id::text AS id, i.status, s.views, s.likes, s.shares, s.hides
  FROM items i
  LEFT JOIN item_stats s ON s.item_id = i.id
  WHERE i.id = ANY($1::uuid[])`;

interface StatsRow {
  id: string;
  status: number;
  // bigint columns arrive as strings from pg (they may exceed 2^53); counters never do.
  views: string | null;
  likes: string | null;
  shares: string | null;
  hides: string | null;
}

const ACTIVE = 1;

/**
 * Attaches engagement counters, keeping the input order. Candidates whose item is deleted or not
 * in Postgres at all (a zset entry outliving its row) are dropped.
 */
export async function hydrateStats(pool: pg.Pool, candidates: readonly RecallCandidate[]): Promise<HydratedCandidate[]> {
  const ids = candidates.map((c) => c.item.id).filter(isUuid);
  if (ids.length === 0) return [];
  const { rows } = await pool.query<StatsRow>(STATS_SQL, [ids]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const out: HydratedCandidate[] = [];
  for (const c of candidates) {
    const row = byId.get(c.item.id.toLowerCase());
    if (row === undefined || row.status !== ACTIVE) continue;
    out.push({ ...c, stats: { views: count(row.views), likes: count(row.likes), shares: count(row.shares), hides: count(row.hides) } });
  }
  return out;
}

function count(value: string | null): number {
  return value === null ? 0 : Number(value);
}
