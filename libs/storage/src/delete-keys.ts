import { Cluster, type Redis } from 'ioredis';
import { ALL_KEYS_PATTERN } from './keys.js';

/**
 * Deletes every feedmesh key under the current KEY_PREFIX (SCAN + UNLINK, never KEYS or FLUSHDB):
 * a reseed must not leave stale zsets behind, and a test run must not touch another run's keys.
 * Single Redis only (UNLINK of keys from several slots is refused by a Cluster).
 */
export async function deleteFeedmeshKeys(client: Redis | Cluster): Promise<number> {
  if (client instanceof Cluster) throw new Error('deleteFeedmeshKeys needs a single Redis, not a Cluster');
  const redis = client;
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', ALL_KEYS_PATTERN, 'COUNT', 2000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
