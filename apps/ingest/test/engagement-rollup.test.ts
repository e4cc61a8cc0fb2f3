// ENGAGEMENT_ROLLUP=async against the real app, Postgres and Redis: RecordEngagement stores and
// queues the events only, and the rollup runner moves the counters. Concurrent batches (with
// duplicates and a retried batch) end with item_stats equal to the stored events, type by type,
// and the affinities equal to their sum; a rollup runner SIGKILLed mid-queue neither loses nor
// double-counts an event once another runner takes over.
import type { ChildProcess } from 'node:child_process';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { EngagementType } from '@feedmesh/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePayload, createTestStores, insertUsers, startIngest, startWorkerProcess, waitFor, type StartedIngest, type TestStores } from './fixtures.js';

const USERS = Array.from({ length: 40 }, (_, i) => `r${i}`);
let stores: TestStores;
let items: string[];
const children: ChildProcess[] = [];

beforeAll(async () => {
  stores = await createTestStores();
  await insertUsers(stores.pool, ['author', 'probe', ...USERS]);
  // Items to engage with, published through a short-lived ingest (any mode).
  const publisher = await startIngest(stores, { INGEST_RUN_WORKER: 'false' }, { name: 'publisher' });
  try {
    items = [];
    for (let i = 0; i < 12; i++) items.push((await publisher.client.publish({ requestId: `item-${i}`, authorId: 'author', payload: articlePayload(`Item ${i}`) })).itemId);
  } finally {
    await publisher.stop();
  }
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await stores?.close();
});

/** `count` events spread over the users, items and types, times unique per `seed` (so batches of different seeds never collide). */
function events(seed: number, count: number) {
  const base = Date.now() - 6 * 3_600_000;
  const batch = Array.from({ length: count - 1 }, (_, i) => ({
    userId: USERS[(seed * 7 + i) % USERS.length]!,
    itemId: items[(seed + i * 5) % items.length]!,
    type: ((i % 5) + 1) as EngagementType,
    occurredAt: timestampFromMs(base + seed * 100_000 + i),
    dwellMs: 0,
  }));
  // One VIEW of the probe user's per batch: its affinity to the author (0.01 a VIEW) never nears
  // the 0..1 clamp, so it must be exactly 0.01 × its stored VIEWs. (Everyone else's is clamped,
  // and clamping depends on how events were grouped into rollups.)
  batch.push({ userId: 'probe', itemId: items[seed % items.length]!, type: EngagementType.VIEW, occurredAt: timestampFromMs(base + seed * 100_000 + 99_999), dwellMs: 0 });
  return batch;
}

/** item_stats against the stored events, type by type; and the affinities against their events' deltas. */
async function mismatches(): Promise<{ stats: number; authorAffinity: number; queued: number }> {
  const stats = await stores.pool.query<{ n: number }>(`
    WITH expected AS (
      SELECT item_id, count(*) FILTER (WHERE type = 1) AS views, count(*) FILTER (WHERE type = 2) AS likes, count(*) FILTER (WHERE type = 3) AS shares,
             count(*) FILTER (WHERE type = 4) AS hides, count(*) FILTER (WHERE type = 5) AS clicks
      FROM engagement_events GROUP BY item_id)
    SELECT count(*)::int AS n FROM expected FULL JOIN item_stats s USING (item_id)
    WHERE (expected.views, expected.likes, expected.shares, expected.hides, expected.clicks) IS DISTINCT FROM (s.views, s.likes, s.shares, s.hides, s.clicks)`);
  // The probe's affinity: 0.01 per stored VIEW (see events()); its pairs with every other user exist.
  const affinity = await stores.pool.query<{ n: number }>(`
    SELECT (abs((SELECT count(*) FROM engagement_events WHERE user_id = 'probe') * 0.01 -
                (SELECT coalesce(sum(score), 0) FROM user_author_affinity WHERE user_id = 'probe')) > 1e-6)::int
         + (SELECT count(*) FROM (SELECT DISTINCT e.user_id, i.author_id FROM engagement_events e JOIN items i ON i.id = e.item_id WHERE e.user_id <> i.author_id) p
            LEFT JOIN user_author_affinity a USING (user_id, author_id) WHERE a.user_id IS NULL)::int AS n`);
  const queued = await stores.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM engagement_rollup_queue');
  return { stats: stats.rows[0]!.n, authorAffinity: affinity.rows[0]!.n, queued: queued.rows[0]!.n };
}

async function resetCounters(): Promise<void> {
  await stores.pool.query('TRUNCATE engagement_events, engagement_rollup_queue, item_stats, user_author_affinity, user_kind_affinity');
}

describe('ENGAGEMENT_ROLLUP=async', () => {
  it('concurrent batches, duplicates and a retried batch: the counters equal the stored events once the queue drains', async () => {
    await resetCounters();
    const ingest: StartedIngest = await startIngest(stores, { ENGAGEMENT_ROLLUP: 'async', ENGAGEMENT_ROLLUP_BATCH: '700', ENGAGEMENT_ROLLUP_IDLE_MS: '20' });
    try {
      // Each batch overlaps the previous seed's by a tenth: duplicates across concurrent batches.
      const batches = Array.from({ length: 16 }, (_, seed) => [...events(seed, 900), ...events(seed + 1, 100)]);
      let accepted = 0;
      let duplicates = 0;
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < batches.length) {
            const outcome = await ingest.client.recordEngagement({ events: batches[next++]! });
            accepted += outcome.accepted;
            duplicates += outcome.duplicates;
          }
        }),
      );
      // A batch sent again (its answer was lost): all duplicates, nothing queued twice.
      const retried = await ingest.client.recordEngagement({ events: batches[3]! });
      expect(retried).toMatchObject({ accepted: 0, duplicates: 1_000 });
      const { rows } = await stores.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM engagement_events');
      expect(rows[0]!.n).toBe(accepted);
      expect(accepted + duplicates).toBe(16_000);
      expect(duplicates).toBeGreaterThan(0);
      expect(await waitFor(async () => (await mismatches()).queued === 0, 20_000, 50)).toBe(true);
      expect(await mismatches()).toEqual({ stats: 0, authorAffinity: 0, queued: 0 });
      // The lag is measured: one observation per rollup.
      const metrics = await (await fetch(`http://${ingest.app.address}/metrics`)).text();
      expect(Number(/ingest_engagement_rollup_lag_seconds_count(?:\{[^}]*\})? (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(0);
      expect(Number(/ingest_engagement_rolled_up_total(?:\{[^}]*\})? (\d+)/.exec(metrics)?.[1])).toBe(accepted);
    } finally {
      await ingest.stop();
    }
  });

  it('a rollup runner SIGKILLed with the queue half drained: another takes over, and every event counts exactly once', async () => {
    await resetCounters();
    // Requests only: the queue fills, nothing rolls it up.
    const ingest = await startIngest(stores, { ENGAGEMENT_ROLLUP: 'async', INGEST_RUN_WORKER: 'false' });
    let total = 0;
    try {
      for (let seed = 0; seed < 10; seed++) total += (await ingest.client.recordEngagement({ events: events(100 + seed, 3_000) })).accepted;
    } finally {
      await ingest.stop();
    }
    expect((await mismatches()).queued).toBe(total);
    const { rows: before } = await stores.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM item_stats');
    expect(before[0]!.n).toBe(0);

    // Small rollups, so the kill lands between (or inside) many transactions.
    const first = await startRollupWorker('rollup-a', '250');
    expect(await waitFor(async () => (await mismatches()).queued < total * 0.6, 30_000, 5)).toBe(true);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const left = (await mismatches()).queued;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(total);

    const second = await startRollupWorker('rollup-b', '5000');
    try {
      expect(await waitFor(async () => (await mismatches()).queued === 0, 30_000, 50)).toBe(true);
      expect(await mismatches()).toEqual({ stats: 0, authorAffinity: 0, queued: 0 });
      const { rows } = await stores.pool.query<{ n: number }>('SELECT coalesce(sum(views + likes + shares + hides + clicks), 0)::int AS n FROM item_stats');
      expect(rows[0]!.n).toBe(total);
    } finally {
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
    }
  }, 90_000);
});

/** ingest's stand-alone worker process (outbox workers and the rollup runner), rolling up `batch` events at a time. */
async function startRollupWorker(instance: string, batch: string): Promise<ChildProcess> {
  const child = await startWorkerProcess(stores, { INGEST_WORKER_INSTANCE: instance, ENGAGEMENT_ROLLUP_BATCH: batch, ENGAGEMENT_ROLLUP_IDLE_MS: '20' });
  children.push(child);
  return child;
}
