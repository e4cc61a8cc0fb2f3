// Two data sets (databases) seeded into one Redis and prefix, as the demo and the benchmark did:
// the second seed refuses to replace the first's keys unless told to (reset). Real Postgres and
// Redis (a db of this file's own; the run's key prefix from vitest.config).
import { randomBytes } from 'node:crypto';
import { createRedis, deleteFeedmeshKeys, dropDatabase, KEY_PREFIX, readDatasetBinding, redisKeys, waitForRedis } from '@feedmesh/storage';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../src/index.js';

const PG_BASE = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';
const suffix = randomBytes(4).toString('hex');
const demo = `feedmesh_test_seed_demo_${suffix}`;
const bench = `feedmesh_test_seed_bench_${suffix}`;
const urlOf = (database: string) => `${PG_BASE}/${database}`;
const redisUrl = 'redis://127.0.0.1:6379/6';
const redis = createRedis({ url: redisUrl, lazyConnect: true, commandTimeoutMs: 10_000 });
const tiny = { users: 20, items: 200, days: 3, redisUrl, timelineLength: 50 };

async function usersIn(database: string): Promise<number> {
  const client = new pg.Client({ connectionString: urlOf(database) });
  await client.connect();
  try {
    return Number((await client.query<{ n: string }>('SELECT count(*) AS n FROM users')).rows[0]!.n);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await waitForRedis(redis);
  await deleteFeedmeshKeys(redis);
});

afterAll(async () => {
  await deleteFeedmeshKeys(redis).catch(() => {});
  redis.disconnect();
  await Promise.all([dropDatabase(urlOf(demo)), dropDatabase(urlOf(bench))]);
});

describe('seeding two data sets into one Redis', () => {
  it('binds the keys to the seeded database', async () => {
    expect((await seed({ ...tiny, seed: 42, databaseUrl: urlOf(demo) })).seeded).toBe(true);
    expect(await readDatasetBinding(redis)).toEqual({ database: demo, seed: 'seed 42: 20 users, 200 items over 3 days', boundAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
  });

  it("refuses to replace another database's keys, naming both and --reset, and leaves both as they were", async () => {
    const timeline = await redis.zrange(redisKeys.homeTimeline('u1'), '0', '-1');
    expect(timeline.length).toBeGreaterThan(0);
    const refusal = seed({ ...tiny, seed: 7, databaseUrl: urlOf(bench) });
    await expect(refusal).rejects.toThrow(`holds the data set of database "${demo}" (seed 42: 20 users, 200 items over 3 days`);
    await expect(refusal).rejects.toThrow(`seeding "${bench}" would replace them. Pass --reset`);
    expect(await readDatasetBinding(redis)).toMatchObject({ database: demo });
    expect(await redis.zrange(redisKeys.homeTimeline('u1'), '0', '-1')).toEqual(timeline);
    expect(await usersIn(bench)).toBe(0);
  });

  it('replaces them with reset, and the keys then belong to the new database', async () => {
    expect((await seed({ ...tiny, seed: 7, databaseUrl: urlOf(bench), reset: true })).seeded).toBe(true);
    expect(await readDatasetBinding(redis)).toMatchObject({ database: bench, seed: 'seed 7: 20 users, 200 items over 3 days' });
    expect(await usersIn(bench)).toBe(20);
    // The demo's database is untouched; its seed is the one refused now.
    expect(await usersIn(demo)).toBe(20);
    await expect(seed({ ...tiny, seed: 42, databaseUrl: urlOf(demo), ifEmpty: true })).resolves.toMatchObject({ seeded: false });
  });

  it('reseeds its own keys without reset (the database emptied meanwhile)', async () => {
    await dropDatabase(urlOf(bench));
    expect((await seed({ ...tiny, seed: 8, databaseUrl: urlOf(bench) })).seeded).toBe(true);
    expect(await readDatasetBinding(redis)).toMatchObject({ database: bench, seed: 'seed 8: 20 users, 200 items over 3 days' });
  });

  it('refuses keys no seed recorded (older seeds, or the apps alone) without reset', async () => {
    await redis.del(redisKeys.dataset());
    await dropDatabase(urlOf(demo));
    await expect(seed({ ...tiny, seed: 42, databaseUrl: urlOf(demo) })).rejects.toThrow(`holds keys of an unrecorded data set (seeded before data sets were bound, or written by the apps alone) under "${KEY_PREFIX}"`);
    expect((await seed({ ...tiny, seed: 42, databaseUrl: urlOf(demo), reset: true })).seeded).toBe(true);
    expect(await readDatasetBinding(redis)).toMatchObject({ database: demo });
  });
});
