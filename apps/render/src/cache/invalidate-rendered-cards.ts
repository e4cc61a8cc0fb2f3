// Write-path API: ingest calls this (or deletes redisKeys.renderedCard(id) itself — the key
// naming lives in @feedmesh/storage for that reason) after an item is edited or deleted, so the
// next Render rebuilds the card instead of serving it until its TTL runs out. Render processes
// drop their in-memory copy too: Redis reports the DEL to them (see card-invalidations.ts).
import { redisKeys, type RedisClient } from '@feedmesh/storage';

/** Deletes the cached cards of `itemIds`; resolves to how many existed. One DEL per key (Cluster-safe). */
export async function invalidateRenderedCards(redis: RedisClient, itemIds: readonly string[]): Promise<number> {
  const deleted = await Promise.all(itemIds.map((id) => redis.del(redisKeys.renderedCard(id.toLowerCase()))));
  return deleted.reduce((sum, n) => sum + n, 0);
}
