import { redisKeys, TIMELINE_MAX_LENGTH, type RedisClient } from '@feedmesh/storage';
import { trimToLength } from './item-index.js';
import { execOrThrow } from './redis-pipeline.js';

export interface TimelineEntry {
  member: string;
  score: number;
}

/**
 * Adds entries to the home timelines of many users in one pipeline (one round trip per batch),
 * each timeline trimmed to TIMELINE_MAX_LENGTH. Per-key commands only, so the same code works
 * on a Redis Cluster client (which splits a pipeline by slot).
 */
export async function pushToTimelines(redis: RedisClient, userIds: string[], entries: TimelineEntry[]): Promise<void> {
  if (userIds.length === 0 || entries.length === 0) return;
  const scoreMembers = entries.flatMap((e) => [e.score, e.member]);
  const pipeline = redis.pipeline();
  for (const userId of userIds) {
    const key = redisKeys.homeTimeline(userId);
    pipeline.zadd(key, ...scoreMembers).zremrangebyrank(key, ...trimToLength(TIMELINE_MAX_LENGTH));
  }
  await execOrThrow(pipeline);
}

export async function removeFromTimelines(redis: RedisClient, userIds: string[], members: string[]): Promise<void> {
  if (userIds.length === 0 || members.length === 0) return;
  const pipeline = redis.pipeline();
  for (const userId of userIds) pipeline.zrem(redisKeys.homeTimeline(userId), ...members);
  await execOrThrow(pipeline);
}
