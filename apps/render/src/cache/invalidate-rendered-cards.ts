// Drops cached cards so the next Render builds them anew, for writers other than ingest (it
// is exported from @feedmesh/render). Ingest does not call this: it deletes
// redisKeys.renderedCard(id) in the same pipeline as its other Redis updates of an edit or
// delete (the key naming lives in @feedmesh/storage for that reason). Either way render
// processes drop their in-memory copy too: Redis reports the DEL to them (card-invalidations.ts).
import { redisKeys, type RedisClient } from '@feedmesh/storage';

/** Deletes the cached cards of `itemIds`; resolves to how many existed. One DEL per key (Cluster-safe). */
export async function invalidateRenderedCards(redis: RedisClient, itemIds: readonly string[]): Promise<number> {
  const deleted = await Promise.all(itemIds.map((id) => redis.del(redisKeys.renderedCard(id.toLowerCase()))));
  return deleted.reduce((sum, n) => sum + n, 0);
}
