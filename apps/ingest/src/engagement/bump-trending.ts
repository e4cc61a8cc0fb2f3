import { encodeTimelineMember, redisKeys, TRENDING_MAX_LENGTH, trendingScore, type RedisClient } from '@feedmesh/storage';
import { trimToLength } from '../timelines/item-index.js';
import type { UpdatedItemStats } from './store-engagement.js';

/**
 * Re-scores the items a batch touched in their kind's trending zset. Best effort: the counters
 * are safe in Postgres and the next batch touching the item rescores it. One multi-member ZADD
 * per kind (a batch touches up to thousands of items): one command, one trace span and one
 * Redis round of work instead of one per item; each kind's zset is a single key, so this holds
 * on Redis Cluster too.
 */
export async function bumpTrending(redis: RedisClient, stats: UpdatedItemStats[]): Promise<boolean> {
  if (stats.length === 0) return true;
  const scoredMembersByKind = new Map<number, Array<number | string>>();
  for (const s of stats) {
    let scoredMembers = scoredMembersByKind.get(s.kind);
    if (scoredMembers === undefined) scoredMembersByKind.set(s.kind, (scoredMembers = []));
    scoredMembers.push(trendingScore(s, s.createdAtMs), encodeTimelineMember({ id: s.itemId, kind: s.kind, authorId: s.authorId }));
  }
  const pipeline = redis.pipeline();
  for (const [kind, scoredMembers] of scoredMembersByKind) {
    pipeline.zadd(redisKeys.trending(kind), ...scoredMembers);
    pipeline.zremrangebyrank(redisKeys.trending(kind), ...trimToLength(TRENDING_MAX_LENGTH));
  }
  try {
    const results = await pipeline.exec();
    return !!results && results.every(([error]) => !error);
  } catch {
    return false;
  }
}
