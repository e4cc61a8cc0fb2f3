import {
  AUTHOR_RECENT_MAX,
  encodeTimelineMember,
  FRESH_ITEMS_MAX,
  KeyedPipeline,
  redisKeys,
  TOPIC_RECENT_MAX,
  TRENDING_MAX_LENGTH,
  trendingScore,
  type EngagementCounts,
  type RedisClient,
} from '@feedmesh/storage';

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
 * recent zset (what recall pulls for big authors), its topics' zsets, its kind's trending zset
 * and the fresh-items zset (the newest items overall). Each zset is trimmed to its bound.
 * Idempotent: the same member and score again changes nothing.
 */
export async function indexItem(redis: RedisClient, item: IndexedItem): Promise<void> {
  const member = memberOf(item);
  const batch = new KeyedPipeline(redis);
  const bounded = (key: string, score: number, max: number) =>
    batch.add(key, (p) => p.zadd(key, score, member).zremrangebyrank(key, ...trimToLength(max)));
  bounded(redisKeys.authorRecent(item.authorId), item.createdAtMs, AUTHOR_RECENT_MAX);
  for (const topic of item.topics) bounded(redisKeys.topicRecent(topic), item.createdAtMs, TOPIC_RECENT_MAX);
  bounded(redisKeys.trending(item.kind), trendingScore(item.stats, item.createdAtMs), TRENDING_MAX_LENGTH);
  bounded(redisKeys.freshItems(), item.createdAtMs, FRESH_ITEMS_MAX);
  await batch.exec();
}

/** Takes an item out of its author, topic, trending and fresh zsets and drops its cached card. */
export async function unindexItem(redis: RedisClient, item: Omit<IndexedItem, 'stats' | 'createdAtMs'>): Promise<void> {
  const member = memberOf(item);
  const batch = new KeyedPipeline(redis);
  const zsets = [redisKeys.authorRecent(item.authorId), ...item.topics.map(redisKeys.topicRecent), redisKeys.trending(item.kind), redisKeys.freshItems()];
  for (const key of zsets) batch.add(key, (p) => p.zrem(key, member));
  const card = redisKeys.renderedCard(item.id);
  batch.add(card, (p) => p.del(card));
  await batch.exec();
}

/** Leaves topics an edit removed, and drops the cached card so render builds it anew. */
export async function refreshEditedItem(redis: RedisClient, item: IndexedItem, previousTopics: string[]): Promise<void> {
  const member = memberOf(item);
  const batch = new KeyedPipeline(redis);
  for (const topic of previousTopics) {
    const key = redisKeys.topicRecent(topic);
    if (!item.topics.includes(topic)) batch.add(key, (p) => p.zrem(key, member));
  }
  const card = redisKeys.renderedCard(item.id);
  batch.add(card, (p) => p.del(card));
  await batch.exec();
  await indexItem(redis, item);
}
