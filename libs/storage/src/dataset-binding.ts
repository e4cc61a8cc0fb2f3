/**
 * Which data set the Redis keys under KEY_PREFIX belong to. The timelines, trending zsets and
 * read model point at rows of one Postgres database; served against another database (the demo's
 * `feedmesh` after the benchmark seeded `feedmesh_bench` into the same Redis and prefix) the feeds
 * quietly lose everything but "fresh" items. So the seed records its database in the key
 * `redisKeys.dataset()`, refuses to replace another data set's keys without --reset, and every
 * app checks the record at start. Keys written by the apps alone (no seed) carry no record and
 * pass the check.
 */
import { KEY_PREFIX, redisKeys } from './keys.js';
import type { RedisClient } from './redis.js';

export interface DatasetBinding {
  /** The Postgres database the keys belong to. */
  database: string;
  /** What wrote them, e.g. "seed 42: 2000 users, 20000 items over 3 days". */
  seed: string;
  /** When they were bound (ISO 8601). */
  boundAt: string;
}

/** Records that the keys under KEY_PREFIX now belong to `binding.database`. */
export async function bindDataset(redis: RedisClient, binding: Omit<DatasetBinding, 'boundAt'>, now = new Date()): Promise<DatasetBinding> {
  const bound: DatasetBinding = { ...binding, boundAt: now.toISOString() };
  await redis.hset(redisKeys.dataset(), bound);
  return bound;
}

/** The recorded data set, or undefined when no seed has bound the keys. */
export async function readDatasetBinding(redis: RedisClient): Promise<DatasetBinding | undefined> {
  const fields = await redis.hgetall(redisKeys.dataset());
  if (fields.database === undefined) return undefined;
  return { database: fields.database, seed: fields.seed ?? '', boundAt: fields.boundAt ?? '' };
}

/** "feedmesh_bench" (seed 42: …, bound 2026-…): a data set as the messages name it. */
export function describeDataset(binding: DatasetBinding): string {
  return `"${binding.database}" (${binding.seed || 'unknown seed'}, bound ${binding.boundAt || 'at an unknown time'})`;
}

export class DatasetMismatchError extends Error {
  override name = 'DatasetMismatchError';

  constructor(
    readonly bound: DatasetBinding,
    readonly databaseName: string,
  ) {
    super(
      `Redis keys under "${KEY_PREFIX}" belong to the data set of database ${describeDataset(bound)}, not to this database ` +
        `"${databaseName}": its feeds would point at items "${databaseName}" does not have. Either reseed them for ` +
        `"${databaseName}" (npm run seed -- --reset --database-url <the URL of ${databaseName}>; --reset also empties its tables ` +
        `before loading the generated data) or give each data set a Redis database or REDIS_KEY_PREFIX of its own.`,
    );
  }
}

/**
 * Throws DatasetMismatchError when the keys are bound to another database than `databaseName`
 * (the apps call it at start, through openStorage). Returns the binding, if any.
 */
export async function checkDatasetBinding(redis: RedisClient, databaseName: string): Promise<DatasetBinding | undefined> {
  const bound = await readDatasetBinding(redis);
  if (bound !== undefined && bound.database !== databaseName) throw new DatasetMismatchError(bound, databaseName);
  return bound;
}
