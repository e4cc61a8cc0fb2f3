import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { EngagementType } from '@feedmesh/contracts';
import { createRedis, encodeTimelineMember, redisKeys, waitForRedis, type RedisClient } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateHomeTimelines, articlePayload, createTestStores, insertFollows, insertUsers, startIngest, waitFor, type IngestClient, type StartedIngest, type TestStores } from './fixtures.js';

// Redis stopped and started again (a Redis this test owns, on a port of its own, restarted from
// its snapshot as a Redis with persistence would be): writes go on while it is down, and the
// outbox work it failed runs as soon as it is back, not after graphile-worker's backoff
// (e^attempts seconds: 20 s after the third failure). The followers' timelines exist before
// (active users: the fan-out writes only into timelines that exist) and come back with it.

const FOLLOWERS = ['f1', 'f2', 'f3'];
/** Followed while Redis was down: the backfill (a follow_changed job) must land too. */
const LATE = 'late';

let stores: TestStores;
let ingest: StartedIngest;
let client: IngestClient;
let port: number;
let redisServer: ChildProcess | undefined;
let redis: RedisClient | undefined;
/** Where the test's Redis keeps its snapshot across the restart. */
const redisDir = mkdtempSync(join(tmpdir(), 'feedmesh-redis-outage-'));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port: p } = server.address() as { port: number };
      server.close(() => resolve(p));
    });
  });
}

async function startRedis(): Promise<void> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', redisDir];
  redisServer = spawn('redis-server', args, { stdio: 'ignore' });
  redis = createRedis({ url: `redis://127.0.0.1:${port}/0`, commandTimeoutMs: 2_000 });
  redis.on('error', () => {});
  // The server takes a moment to listen; the client reconnects until it does.
  const client = redis;
  expect(await waitFor(() => waitForRedis(client, 500).then(() => true, () => false), 10_000, 50)).toBe(true);
}

/** Stops the test's Redis: with a snapshot (SHUTDOWN SAVE, the next start loads it), or killed. */
async function stopRedis(mode: 'snapshot' | 'kill'): Promise<void> {
  const server = redisServer!;
  const exited = new Promise((resolve) => (server.exitCode === null ? server.once('exit', resolve) : resolve(undefined)));
  if (mode === 'snapshot') await redis!.call('SHUTDOWN', 'SAVE').catch(() => {});
  redis?.disconnect();
  if (server.exitCode === null && mode === 'kill') server.kill('SIGKILL');
  await exited;
}

beforeAll(async () => {
  port = await freePort();
  await startRedis();
  stores = await createTestStores();
  await insertUsers(stores.pool, ['author', LATE, ...FOLLOWERS]);
  await insertFollows(stores.pool, 'author', FOLLOWERS);
  await activateHomeTimelines(redis!, [...FOLLOWERS, LATE]);
  ingest = await startIngest(stores, { REDIS_URL: `redis://127.0.0.1:${port}/0`, INGEST_WORKER_POLL_MS: '200' }, { defaultTimeoutMs: 5_000 });
  ({ client } = ingest);
});

afterAll(async () => {
  await ingest?.stop();
  await stopRedis('kill').catch(() => {});
  await stores?.close();
  rmSync(redisDir, { recursive: true, force: true });
});

describe('Redis stopped and restarted', () => {
  it('keeps publishing while it is down, and fans out within seconds of its return', async () => {
    await stopRedis('snapshot');
    const { itemId } = await client.publish({ requestId: 'while-down', authorId: 'author', payload: articlePayload('While Redis is down') });
    expect((await client.publish({ requestId: 'while-down', authorId: 'author', payload: articlePayload('While Redis is down') })).replay).toBe(true);
    expect((await client.follow({ followerId: LATE, followeeId: 'author' })).changed).toBe(true);
    const engagement = await client.recordEngagement({ events: [{ userId: 'f1', itemId, type: EngagementType.LIKE, occurredAt: timestampFromMs(Date.now()) }] });
    expect(engagement.accepted).toBe(1);
    // The outbox job fails on every attempt meanwhile; after its third, graphile-worker would
    // wait e^3 = 20 s before the next.
    expect(
      await waitFor(async () => {
        const { rows } = await stores.pool.query<{ attempts: number }>("SELECT attempts FROM graphile_worker.jobs WHERE task_identifier = 'item_published'");
        return (rows[0]?.attempts ?? 0) >= 3 && (await stores.pool.query('SELECT 1 FROM graphile_worker.jobs WHERE locked_at IS NOT NULL')).rowCount === 0;
      }, 30_000, 100),
    ).toBe(true);

    await startRedis();
    const back = Date.now();
    const member = encodeTimelineMember({ id: itemId, kind: 1, authorId: 'author' });
    const delivered = async () => {
      const scores = await Promise.all([...FOLLOWERS, LATE].map((id) => redis!.zscore(redisKeys.homeTimeline(id), member)));
      return scores.every((score) => score !== null);
    };
    expect(await waitFor(delivered, 10_000, 50)).toBe(true);
    const recoveryMs = Date.now() - back;
    console.log(`redis-outage: fanned out ${recoveryMs} ms after Redis was back`);
    // ioredis reconnects with backoff (up to 2 s here), then the failed jobs are due at once.
    expect(recoveryMs).toBeLessThan(5_000);
  }, 60_000);
});
