import { decodeTimelineMember, redisKeys, type RedisClient } from '@feedmesh/storage';
import type { Task } from 'graphile-worker';
import type pg from 'pg';
import type { FollowChangedPayload } from '../outbox/outbox-tasks.js';
import { writePulledAuthor } from '../read-model/read-model-writes.js';
import { memberOf } from '../timelines/item-index.js';
import { pushToTimelines, removeFromTimelines, type TimelineEntry } from '../timelines/home-timelines.js';
import type { TaskContext } from './task-context.js';

/** The author's latest items: from their recent zset, or Postgres when the zset is empty. */
async function recentItems(pool: pg.Pool, redis: RedisClient, authorId: string, limit: number): Promise<TimelineEntry[]> {
  const flat = await redis.zrange(redisKeys.authorRecent(authorId), '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '0', String(limit), 'WITHSCORES');
  if (flat.length > 0) {
    const entries: TimelineEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) entries.push({ member: flat[i]!, score: Number(flat[i + 1]) });
    return entries;
  }
  const { rows } = await pool.query<{ id: string; kind: number; created_at_ms: number }>(
    `SELECT id, kind, floor(extract(epoch FROM created_at) * 1000)::float8 AS created_at_ms
     FROM items WHERE author_id = $1 AND status = 1 ORDER BY created_at DESC, id DESC LIMIT $2`,
    [authorId, limit],
  );
  return rows.map((row) => ({ member: memberOf({ id: row.id, kind: row.kind, authorId }), score: row.created_at_ms }));
}

/** The followee's entries in the follower's timeline (bounded, so one read is cheap). */
async function entriesOfAuthor(redis: RedisClient, userId: string, authorId: string): Promise<string[]> {
  const members = await redis.zrange(redisKeys.homeTimeline(userId), '0', '-1');
  return members.filter((member) => {
    try {
      return decodeTimelineMember(member).authorId === authorId;
    } catch {
      return false;
    }
  });
}

/**
 * Follow: the followee's recent items enter the follower's timeline, unless the followee is a
 * pull author, whom recall merges at read time: then the follower's read-model hash gets
 * `p:<followee>` = their follower count. Unfollow: the followee's items leave the timeline and
 * `p:<followee>` the hash. Jobs of one follower run in order (a named queue), and each checks
 * the edge's current state first, so a follow quickly undone never leaves anything behind.
 */
export function followChangedTask(context: TaskContext): Task {
  return async (payload) => {
    const { followerId, followeeId } = payload as FollowChangedPayload;
    const { rows } = await context.pool.query<{ edge: boolean; follower_count: number }>(
      `SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2) AS edge,
              (SELECT follower_count FROM users WHERE id = $2) AS follower_count`,
      [followerId, followeeId],
    );
    const state = rows[0]!;
    const pulled = state.edge && state.follower_count > context.pullThreshold;
    await writePulledAuthor(context.redis, [followerId], followeeId, pulled ? state.follower_count : undefined);
    if (state.edge) {
      if (pulled) return;
      const entries = await recentItems(context.pool, context.redis, followeeId, context.backfillLimit);
      await pushToTimelines(context.redis, [followerId], entries);
    } else {
      const members = await entriesOfAuthor(context.redis, followerId, followeeId);
      await removeFromTimelines(context.redis, [followerId], members);
    }
  };
}
