import { encodeTimelineMember, redisKeys, TRENDING_MAX_LENGTH, trendingScore, type RedisClient } from '@feedmesh/storage';
import { trimToLength } from '../timelines/item-index.js';
import type { UpdatedItemStats } from './store-engagement.js';

/**
 * Re-scores the items a batch touched in their kind's trending zset (one pipeline). Best effort:
 * the counters are safe in Postgres and the next batch touching the item rescores it.
 */
export async function bumpTrending(redis: RedisClient, stats: UpdatedItemStats[]): Promise<boolean> {
  if (stats.length === 0) return true;
  const pipeline = redis.pipeline();
  const kinds = new Set<number>();
  for (const s of stats) {
    const member = encodeTimelineMember({ id: s.itemId, kind: s.kind, authorId: s.authorId });
    pipeline.zadd(redisKeys.trending(s.kind), trendingScore(s, s.createdAtMs), member);
    kinds.add(s.kind);
  }
  for (const kind of kinds) pipeline.zremrangebyrank(redisKeys.trending(kind), ...trimToLength(TRENDING_MAX_LENGTH));
  try {
    const results = await pipeline.exec();
    return !!results && results.every(([error]) => !error);
  } catch {
    return false;
  }
}
