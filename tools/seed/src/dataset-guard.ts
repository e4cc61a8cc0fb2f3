import { describeDataset, KEY_PREFIX, ALL_KEYS_PATTERN, readDatasetBinding } from '@feedmesh/storage';
import type { Redis } from 'ioredis';

async function hasFeedmeshKeys(redis: Redis): Promise<boolean> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', ALL_KEYS_PATTERN, 'COUNT', 1000);
    if (keys.length > 0) return true;
    cursor = next;
  } while (cursor !== '0');
  return false;
}

/**
 * Throws, naming both data sets, unless the keys under KEY_PREFIX are free for `databaseName`'s
 * data set: none there, or bound to that database already. A seed replaces every key under the
 * prefix, so seeding one data set over another's keys would break the other (see
 * storage's dataset-binding.ts); --reset says to do it anyway.
 */
export async function checkKeysAreFree(redis: Redis, databaseName: string, redisUrl: string): Promise<void> {
  const bound = await readDatasetBinding(redis);
  if (bound?.database === databaseName) return;
  let held: string;
  if (bound) held = `the data set of database ${describeDataset(bound)}`;
  else if (await hasFeedmeshKeys(redis)) held = 'keys of an unrecorded data set (seeded before data sets were bound, or written by the apps alone)';
  else return;
  throw new Error(
    `Redis ${redisUrl} holds ${held} under "${KEY_PREFIX}"; seeding "${databaseName}" would replace them. ` +
      `Pass --reset to replace them (it also empties the tables of "${databaseName}" first), or seed into a Redis ` +
      `database or REDIS_KEY_PREFIX of its own (e.g. --redis-url redis://127.0.0.1:6379/1).`,
  );
}
