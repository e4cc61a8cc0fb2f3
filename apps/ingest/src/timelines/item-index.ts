import {
  AUTHOR_RECENT_MAX,
  encodeTimelineMember,
  redisKeys,
  TOPIC_RECENT_MAX,
  TRENDING_MAX_LENGTH,
  trendingScore,
  type EngagementCounts,
  type RedisClient,
} from '@feedmesh/storage';
import { execOrThrow } from './redis-pipeline.js';

/** What the Redis indexes need to know about an item. */
export interface IndexedItem {
  id: string;
  kind: number;
  authorId: string;
  createdAtMs: number;
  topics: string[];
  stats: EngagementCounts;
}

export function memberOf(item: Pick<IndexedItem, 'id' | 'kind' | 'authorId'>): string {
  return encodeTimelineMember({ id: item.id, kind: item.kind, authorId: item.authorId });
}

/** Keeps the `max` highest-scored entries (rank 0 is the lowest score). */
export function trimToLength(max: number): [number, number] {
  return [0, -(max + 1)];
}

/**
 * Puts an item into every index each item belongs to whatever its author's size: the author's
 * recent zset (what recall pulls for big authors), its topics' zsets and its kind's trending
 * zset. Each zset is trimmed to its bound. Idempotent: the same member and score again changes
 * nothing.
 */
export async function indexItem(redis: RedisClient, item: IndexedItem): Promise<void> {
  const member = memberOf(item);
  const pipeline = redis.pipeline();
  const author = redisKeys.authorRecent(item.authorId);
  pipeline.zadd(author, item.createdAtMs, member).zremrangebyrank(author, ...trimToLength(AUTHOR_RECENT_MAX));
  for (const topic of item.topics) {
    const key = redisKeys.topicRecent(topic);
    pipeline.zadd(key, item.createdAtMs, member).zremrangebyrank(key, ...trimToLength(TOPIC_RECENT_MAX));
  }
  const trending = redisKeys.trending(item.kind);
  pipeline.zadd(trending, trendingScore(item.stats, item.createdAtMs), member).zremrangebyrank(trending, ...trimToLength(TRENDING_MAX_LENGTH));
  await execOrThrow(pipeline);
}

/** Takes an item out of its author, topic and trending zsets and drops its cached card. */
export async function unindexItem(redis: RedisClient, item: Omit<IndexedItem, 'stats' | 'createdAtMs'>): Promise<void> {
  const member = memberOf(item);
  const pipeline = redis.pipeline();
  pipeline.zrem(redisKeys.authorRecent(item.authorId), member);
  for (const topic of item.topics) pipeline.zrem(redisKeys.topicRecent(topic), member);
  pipeline.zrem(redisKeys.trending(item.kind), member);
  pipeline.del(redisKeys.renderedCard(item.id));
  await execOrThrow(pipeline);
}

/** Leaves topics an edit removed, and drops the cached card so render builds it anew. */
export async function refreshEditedItem(redis: RedisClient, item: IndexedItem, previousTopics: string[]): Promise<void> {
  const member = memberOf(item);
  const pipeline = redis.pipeline();
  for (const topic of previousTopics) {
    if (!item.topics.includes(topic)) pipeline.zrem(redisKeys.topicRecent(topic), member);
  }
  pipeline.del(redisKeys.renderedCard(item.id));
  await execOrThrow(pipeline);
  await indexItem(redis, item);
}
