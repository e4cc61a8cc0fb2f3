import { memberOf, writePulledAuthor, type Repositories, type TimelineEntry } from '@feedmesh/storage';
import type { Task } from 'graphile-worker';
import type { FollowChangedPayload } from '../outbox/outbox-tasks.js';
import type { TaskContext } from './task-context.js';

/** The author's latest items: from their recent zset, or Postgres when the zset is empty. */
async function recentItems(storage: Repositories, authorId: string, limit: number): Promise<TimelineEntry[]> {
  const entries = await storage.timelines.authorRecent(authorId, limit);
  if (entries.length > 0) return entries;
  const items = await storage.items.recentOfAuthor(authorId, limit);
  return items.map((item) => ({ member: memberOf({ id: item.id, kind: item.kind, authorId }), score: item.createdAtMs }));
}

/**
 * Follow: the followee's recent items enter the follower's timeline (when they have one: an
 * inactive user's expired, and recall rebuilds it from their follows, this one included, when
 * they read), unless the followee is a pull author, whom recall merges at read time: then the follower's read-model hash gets
 * `p:<followee>` = their follower count. Unfollow: the followee's items leave the timeline and
 * `p:<followee>` the hash. Jobs of one follower run in order (a named queue), and each checks
 * the edge's current state first, so a follow quickly undone never leaves anything behind.
 */
export function followChangedTask(context: TaskContext): Task {
  return async (payload) => {
    const { followerId, followeeId } = payload as FollowChangedPayload;
    const { follows, timelines } = context.storage;
    const state = await follows.edgeState(followerId, followeeId);
    const pulled = state.edge && state.followerCount !== null && state.followerCount > context.pullThreshold;
    await writePulledAuthor(context.redis, [followerId], followeeId, pulled ? state.followerCount! : undefined);
    if (state.edge) {
      if (pulled) return;
      const entries = await recentItems(context.storage, followeeId, context.backfillLimit);
      await timelines.pushToHomes([followerId], entries);
    } else {
      const members = await timelines.homeMembersOfAuthor(followerId, followeeId);
      await timelines.removeFromHomes([followerId], members);
    }
  };
}
