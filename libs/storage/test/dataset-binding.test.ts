// The data-set binding against a real Redis (a key prefix of this file's own) and real Postgres
// databases: the check the apps run at start, through openStorage.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Storage = typeof import('../src/index.js');

const PREFIX = `fmt-binding-${randomBytes(4).toString('hex')}:`;
const PG_BASE = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';
const suffix = randomBytes(4).toString('hex');
const demo = `feedmesh_test_binding_demo_${suffix}`;
const bench = `feedmesh_test_binding_bench_${suffix}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const envOf = (database: string) => ({ DATABASE_URL: `${PG_BASE}/${database}`, REDIS_URL, REDIS_CLUSTER_NODES: '' });
let storage: Storage;
let redis: ReturnType<Storage['createRedis']>;
const open = (database: string, redisOptions?: Parameters<Storage['openStorage']>[1]['redis']) =>
  storage.openStorage(envOf(database), { postgres: { applicationName: 'binding-test', max: 1, checkOnOpen: true }, redis: redisOptions });

beforeAll(async () => {
  // storage reads the key prefix when it loads: set this file's own first, then load storage.
  process.env.REDIS_KEY_PREFIX = PREFIX;
  storage = await import('../src/index.js');
  const { createRedis, ensureDatabase, waitForRedis } = storage;
  redis = createRedis({ url: REDIS_URL, lazyConnect: true });
  await waitForRedis(redis);
  await Promise.all([ensureDatabase(envOf(demo).DATABASE_URL), ensureDatabase(envOf(bench).DATABASE_URL)]);
});

afterAll(async () => {
  const { deleteFeedmeshKeys, dropDatabase } = storage;
  await deleteFeedmeshKeys(redis);
  redis.disconnect();
  await Promise.all([dropDatabase(envOf(demo).DATABASE_URL), dropDatabase(envOf(bench).DATABASE_URL)]);
});

describe('dataset binding', () => {
  it('lets any database start on keys no seed has bound', async () => {
    expect(await storage.readDatasetBinding(redis)).toBeUndefined();
    await redis.set(`${PREFIX}written-by-an-app`, '1');
    expect(await storage.checkDatasetBinding(redis, demo)).toBeUndefined();
    const opened = await open(demo);
    await opened.close();
  });

  it('records the database and seed under the prefix, and accepts that database', async () => {
    const bound = await storage.bindDataset(redis, { database: bench, seed: 'seed 42: 100000 users' }, new Date('2026-12-01T10:00:00Z'));
    expect(bound).toEqual({ database: bench, seed: 'seed 42: 100000 users', boundAt: '2026-12-01T10:00:00.000Z' });
    expect(storage.redisKeys.dataset()).toBe(`${PREFIX}dataset`);
    expect(await redis.hgetall(storage.redisKeys.dataset())).toEqual({ database: bench, seed: 'seed 42: 100000 users', boundAt: '2026-12-01T10:00:00.000Z' });
    expect(await storage.checkDatasetBinding(redis, bench)).toEqual(bound);
    const opened = await open(bench);
    expect(await opened.ping.redis()).toBe('PONG');
    await opened.close();
  });

  it("refuses another database, naming both data sets and the fix", async () => {
    const refusal = await storage.checkDatasetBinding(redis, demo).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(storage.DatasetMismatchError);
    const message = (refusal as Error).message;
    expect(message).toContain(`"${bench}" (seed 42: 100000 users, bound 2026-12-01T10:00:00.000Z)`);
    expect(message).toContain(`not to this database "${demo}"`);
    expect(message).toContain('npm run seed -- --reset');
    expect(message).toContain('REDIS_KEY_PREFIX');
    expect(refusal).toMatchObject({ databaseName: demo, bound: { database: bench } });
  });

  it('makes openStorage fail the start on another database, even for a service that runs without Redis', async () => {
    await expect(open(demo)).rejects.toBeInstanceOf(storage.DatasetMismatchError);
    const unavailable: unknown[] = [];
    await expect(open(demo, { onUnavailableAtStart: (error) => unavailable.push(error) })).rejects.toThrow(`not to this database "${demo}"`);
    expect(unavailable).toEqual([]);
  });

  it('binds to the new database once reseeded', async () => {
    await storage.bindDataset(redis, { database: demo, seed: 'seed 42: 2000 users' });
    expect(await storage.checkDatasetBinding(redis, demo)).toMatchObject({ database: demo });
    await expect(storage.checkDatasetBinding(redis, bench)).rejects.toThrow(`belong to the data set of database "${demo}"`);
  });
});
