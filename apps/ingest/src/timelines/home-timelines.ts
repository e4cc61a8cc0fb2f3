import { KeyedPipeline, redisKeys, TIMELINE_MAX_LENGTH, type RedisClient } from '@feedmesh/storage';
import { trimToLength } from './item-index.js';

export interface TimelineEntry {
  member: string;
  score: number;
}

/**
 * Adds entries to the home timelines of many users in one pipeline (one round trip per batch;
 * on a Cluster one per slot, sent concurrently), each timeline trimmed to TIMELINE_MAX_LENGTH.
 */
export async function pushToTimelines(redis: RedisClient, userIds: string[], entries: TimelineEntry[]): Promise<void> {
  if (userIds.length === 0 || entries.length === 0) return;
  const scoreMembers = entries.flatMap((e) => [e.score, e.member]);
  const batch = new KeyedPipeline(redis);
  for (const userId of userIds) {
    const key = redisKeys.homeTimeline(userId);
    batch.add(key, (p) => p.zadd(key, ...scoreMembers).zremrangebyrank(key, ...trimToLength(TIMELINE_MAX_LENGTH)));
  }
  await batch.exec();
}

export async function removeFromTimelines(redis: RedisClient, userIds: string[], members: string[]): Promise<void> {
  if (userIds.length === 0 || members.length === 0) return;
  const batch = new KeyedPipeline(redis);
  for (const userId of userIds) {
    const key = redisKeys.homeTimeline(userId);
    batch.add(key, (p) => p.zrem(key, ...members));
  }
  await batch.exec();
}
