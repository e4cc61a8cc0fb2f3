// The benchmark data set: 100k users / 1M items in `feedmesh_bench`, timelines in Redis db 1
// (db 0 is the demo's: each data set has its Redis database, and apps refuse another's keys).
// BENCH_DATABASE_URL, BENCH_REDIS_URL and BENCH_USERS in the environment point the benchmarks at
// another data set (e.g. a small one seeded to check the mechanics; REDIS_KEY_PREFIX as seeded).
import { createPgPool, createRedis, redisKeys, waitForRedis } from '@feedmesh/storage';

export const DEFAULT_BENCH_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/feedmesh_bench';
export const BENCH_DATABASE_URL = process.env.BENCH_DATABASE_URL || DEFAULT_BENCH_DATABASE_URL;
export const BENCH_REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379/1';
export const BENCH_USERS = positiveInteger(process.env.BENCH_USERS, 'BENCH_USERS') ?? 100_000;

function positiveInteger(text: string | undefined, name: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(text)}`);
  return value;
}
export const SEED_COMMAND =
  'npm run seed -- --users 100000 --items 1000000 --timeline-length 128 --database-url postgres://postgres@127.0.0.1:5432/feedmesh_bench --redis-url redis://127.0.0.1:6379/1';

export class MissingBenchData extends Error {
  override name = 'MissingBenchData';
}

/** Throws MissingBenchData, naming the seed command, when the data set is not there. */
export async function checkBenchData(databaseUrl = BENCH_DATABASE_URL, redisUrl = BENCH_REDIS_URL, users = BENCH_USERS): Promise<void> {
  const pool = createPgPool({ connectionString: databaseUrl, max: 1 });
  let count: number;
  try {
    count = (await pool.query<{ n: number }>('select count(*)::int as n from users')).rows[0]!.n;
  } catch (error) {
    throw new MissingBenchData(`${databaseUrl} is not readable (${(error as Error).message}); seed it with:\n  ${SEED_COMMAND}`);
  } finally {
    await pool.end();
  }
  if (count < users) throw new MissingBenchData(`${databaseUrl} has ${count} users, expected ${users}; seed it with:\n  ${SEED_COMMAND}`);
  const redis = createRedis({ url: redisUrl });
  try {
    await waitForRedis(redis);
    if ((await redis.exists(redisKeys.homeTimeline('u1'))) === 0) {
      throw new MissingBenchData(`Redis (${redisUrl}) holds no timelines; reseed with:\n  ${SEED_COMMAND}`);
    }
  } finally {
    redis.disconnect();
  }
}
