import { setTimeout as sleep } from 'node:timers/promises';
import { Code, ConnectError } from '@connectrpc/connect';
import type { SpawnedApp } from '@feedmesh/service-kit';
import { databaseNameOf, encodeTimelineMember, redisKeys } from '@feedmesh/storage';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateHomeTimelines, articlePayload, createTestStores, insertFollows, insertUsers, startIngest, waitFor, type IngestClient, type StartedIngest, type TestStores } from './fixtures.js';

// Postgres connections killed under write load (pg_terminate_backend, as a failover or an
// operator does): ingest stays up, answers Unavailable (never Internal) while it cannot write,
// writes again within seconds, and every acknowledged Publish is stored and fanned out.

const FOLLOWERS = ['f1', 'f2', 'f3', 'f4', 'f5'];
const WRITERS = 8;
const KILLS = 4;

let stores: TestStores;
let ingest: StartedIngest;
let app: SpawnedApp;
let client: IngestClient;
/** Kills from outside the app's pools: a connection of its own to the maintenance database. */
let killer: pg.Client;

beforeAll(async () => {
  stores = await createTestStores();
  await insertUsers(stores.pool, ['author', ...FOLLOWERS]);
  await insertFollows(stores.pool, 'author', FOLLOWERS);
  await activateHomeTimelines(stores.redis, FOLLOWERS);
  ingest = await startIngest(stores, { INGEST_WORKERS: '4', INGEST_WORKER_POLL_MS: '200', TIMELINE_MAX_LENGTH: '100000' }, { defaultTimeoutMs: 5_000 });
  ({ app, client } = ingest);
  killer = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await killer.connect();
});

afterAll(async () => {
  await killer?.end();
  await ingest?.stop();
  await stores?.close();
});

/** Terminates every backend of the test database except the test's own pool's. */
async function killConnections(): Promise<number> {
  const { rows } = await killer.query<{ n: number }>(
    `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
     WHERE datname = $1 AND pid <> pg_backend_pid()`,
    [databaseNameOf(stores.databaseUrl)],
  );
  return rows[0]!.n;
}

describe('Postgres connections killed under write load', () => {
  it('stays up, answers Unavailable meanwhile, recovers in seconds, loses no acknowledged publish', async () => {
    const acknowledged = new Map<string, string>(); // request id → item id
    const failures = new Map<string, number>(); // gRPC code name → count
    let running = true;
    let sequence = 0;
    const writer = async (w: number) => {
      while (running) {
        const requestId = `load-${w}-${sequence++}`;
        try {
          const { itemId } = await client.publish({ requestId, authorId: 'author', payload: articlePayload(`Load ${requestId}`) });
          acknowledged.set(requestId, itemId);
        } catch (error) {
          const code = Code[ConnectError.from(error).code]!;
          failures.set(code, (failures.get(code) ?? 0) + 1);
          await sleep(20);
        }
      }
    };
    const writers = Array.from({ length: WRITERS }, (_, w) => writer(w));
    let killed = 0;
    for (let k = 0; k < KILLS; k++) {
      // Under write load: each kill comes after some publishes went through since the last one.
      const before = acknowledged.size;
      await waitFor(async () => acknowledged.size >= before + 5, 15_000, 20);
      killed += await killConnections();
    }
    await waitFor(async () => acknowledged.size >= 40, 10_000, 20);
    running = false;
    await Promise.all(writers);
    expect(killed).toBeGreaterThan(KILLS);

    // The process is alive, and writes succeed again within a few seconds.
    expect(app.child.exitCode).toBeNull();
    const recoveryStarted = Date.now();
    expect(
      await waitFor(async () => {
        try {
          await client.publish({ requestId: `after-${Date.now()}`, authorId: 'author', payload: articlePayload('After') });
          return true;
        } catch {
          return false;
        }
      }, 5_000),
    ).toBe(true);
    const recoveryMs = Date.now() - recoveryStarted;
    expect(recoveryMs).toBeLessThan(5_000);
    const restarts = app.logs.filter((line) => line.includes('outbox worker pool stopped')).length;
    console.log(`postgres-kill: ${killed} backends killed, ${acknowledged.size} publishes acknowledged, refused ${JSON.stringify([...failures])}, writes back after ${recoveryMs} ms, worker pool restarts ${restarts}`);

    // A refused write said "retry", never "internal error".
    expect([...failures.keys()].filter((code) => code !== 'Unavailable' && code !== 'Aborted')).toEqual([]);
    expect(acknowledged.size).toBeGreaterThanOrEqual(40);

    // Every acknowledged publish is a row, and reaches every follower's timeline.
    const ids = [...acknowledged.values()];
    const { rows } = await stores.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM items WHERE id = ANY($1::uuid[])', [ids]);
    expect(rows[0]!.n).toBe(ids.length);
    const members = ids.map((id) => encodeTimelineMember({ id, kind: 1, authorId: 'author' }));
    const missing = async () => {
      const pipeline = stores.redis.pipeline();
      for (const follower of FOLLOWERS) for (const member of members) pipeline.zscore(redisKeys.homeTimeline(follower), member);
      return (await pipeline.exec())!.filter(([, score]) => score === null).length;
    };
    expect(await waitFor(async () => (await missing()) === 0, 30_000, 250)).toBe(true);
    // The queue drained: no job left locked by a pool that died.
    expect(
      await waitFor(async () => {
        const { rows: jobs } = await stores.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM graphile_worker._private_jobs');
        return jobs[0]!.n === 0;
      }, 15_000),
    ).toBe(true);
    expect(app.child.exitCode).toBeNull();
  }, 90_000);
});
