import type { ChildProcess } from 'node:child_process';
import { encodeTimelineMember, HOME_TIMELINE_PLACEHOLDER, redisKeys } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateHomeTimelines, articlePayload, createTestStores, insertFollows, insertUsers, startIngest, startWorkerProcess, waitFor, type IngestClient, type StartedIngest, type TestStores } from './fixtures.js';

const FOLLOWERS = 5_000;
const followerIds = Array.from({ length: FOLLOWERS }, (_, i) => `fan${String(i).padStart(5, '0')}`);
/** A second author followed by every third fan, so timelines differ per follower. */
const sideFollowers = followerIds.filter((_, i) => i % 3 === 0);

let stores: TestStores;
let ingest: StartedIngest;
let client: IngestClient;
/** Worker processes still to reap if a test fails midway. */
const children: ChildProcess[] = [];

/** The outbox worker as its own process, slowed down so a kill lands mid-fan-out. */
async function startWorker(): Promise<ChildProcess> {
  const child = await startWorkerProcess(stores, {
    INGEST_WORKERS: '2',
    FANOUT_BATCH_SIZE: '200',
    FANOUT_BATCH_PAUSE_MS: '60',
    INGEST_WORKER_LEASE_MS: '1500',
    INGEST_WORKER_INSTANCE: 'crash-test',
  });
  children.push(child);
  return child;
}

beforeAll(async () => {
  stores = await createTestStores();
  await insertUsers(stores.pool, ['star', 'side', 'lurker', ...followerIds]);
  await insertFollows(stores.pool, 'star', followerIds);
  await insertFollows(stores.pool, 'side', sideFollowers);
  await activateHomeTimelines(stores.redis, followerIds);
  // Publishing only: the outbox is drained by the separate worker processes below.
  ingest = await startIngest(stores, { INGEST_RUN_WORKER: 'false' });
  ({ client } = ingest);
});

afterAll(async () => {
  await ingest?.stop();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await stores?.close();
});

async function followersHolding(member: string): Promise<number> {
  const pipeline = stores.redis.pipeline();
  for (const id of followerIds) pipeline.zscore(redisKeys.homeTimeline(id), member);
  const results = (await pipeline.exec())!;
  return results.filter(([, score]) => score !== null).length;
}

/**
 * What every timeline should hold, from Postgres alone (not from the test's own lists): one
 * entry per item of each author the user follows, scored by the item's creation time.
 */
async function expectedTimelines(): Promise<Map<string, Map<string, number>>> {
  const { rows } = await stores.pool.query<{ follower_id: string; id: string; kind: number; author_id: string; created_at_ms: number }>(
    `SELECT f.follower_id, i.id, i.kind, i.author_id, floor(extract(epoch FROM i.created_at) * 1000)::float8 AS created_at_ms
     FROM follows f JOIN items i ON i.author_id = f.followee_id`,
  );
  const expected = new Map<string, Map<string, number>>();
  for (const row of rows) {
    let timeline = expected.get(row.follower_id);
    if (!timeline) expected.set(row.follower_id, (timeline = new Map()));
    timeline.set(encodeTimelineMember({ id: row.id, kind: row.kind, authorId: row.author_id }), row.created_at_ms);
  }
  return expected;
}

describe('fan-out survives a worker killed mid-batch', () => {
  it('delivers the item to every follower exactly once after SIGKILL and restart', async () => {
    const { itemId: sideItemId } = await client.publish({ requestId: 'side-1', authorId: 'side', payload: articlePayload('Side news') });
    const { itemId } = await client.publish({ requestId: 'crash-1', authorId: 'star', payload: articlePayload('Big news') });
    const member = encodeTimelineMember({ id: itemId, kind: 1, authorId: 'star' });

    const first = await startWorker();
    // Kill it once the fan-out is under way but not finished (25 batches, paused 60 ms each).
    const midway = await waitFor(async () => (await followersHolding(member)) >= 200, 20_000, 10);
    expect(midway).toBe(true);
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const atKill = await followersHolding(member);
    expect(atKill).toBeLessThan(FOLLOWERS);

    const second = await startWorker();
    try {
      // The restarted worker frees the dead one's locked jobs once their lease lapses, then finishes.
      expect(await waitFor(async () => (await followersHolding(member)) === FOLLOWERS, 25_000, 100)).toBe(true);
      // Exactly once, checked where it can fail: each timeline (the lurker's included, which must
      // stay empty: it has none, as an inactive user) holds exactly the expected entries, no more (a replay under another member
      // encoding, another author's item, a neighbouring batch's follower) and no fewer, each
      // with the item's own score (a replayed batch that re-scored would move it).
      const sideMember = encodeTimelineMember({ id: sideItemId, kind: 1, authorId: 'side' });
      expect(await waitFor(async () => (await followersHolding(sideMember)) === sideFollowers.length, 25_000, 100)).toBe(true);
      const expected = await expectedTimelines();
      expect(expected.size).toBe(FOLLOWERS);
      const users = ['lurker', 'star', 'side', ...followerIds];
      const pipeline = stores.redis.pipeline();
      for (const id of users) pipeline.zrange(redisKeys.homeTimeline(id), '0', '-1', 'WITHSCORES');
      const replies = (await pipeline.exec())!.map(([, reply]) => reply as string[]);
      const wrong: string[] = [];
      users.forEach((id, u) => {
        const reply = replies[u]!;
        const actual = new Map<string, number>();
        for (let i = 0; i < reply.length; i += 2) if (reply[i] !== HOME_TIMELINE_PLACEHOLDER) actual.set(reply[i]!, Number(reply[i + 1]));
        const want = expected.get(id) ?? new Map<string, number>();
        const same = actual.size === want.size && [...want].every(([m, score]) => actual.get(m) === score);
        if (!same) wrong.push(`${id}: ${JSON.stringify([...actual])} instead of ${JSON.stringify([...want])}`);
      });
      expect(wrong.slice(0, 5)).toEqual([]);
      expect(sideFollowers.every((id) => expected.get(id)!.size === 2)).toBe(true);
      expect(await waitFor(async () => {
        const { rows } = await stores.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker._private_jobs');
        return rows[0]!.n === 0;
      })).toBe(true);
    } finally {
      second.kill('SIGTERM');
      await new Promise((resolve) => second.once('exit', resolve));
    }
  });
});
