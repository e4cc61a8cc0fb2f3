import { writePulledAuthor } from '@feedmesh/storage';
import type { Task } from 'graphile-worker';
import { OUTBOX_TASKS, pullAuthorQueueName, type PullAuthorBatchPayload, type PullAuthorPayload } from '../outbox/outbox-tasks.js';
import type { TaskContext } from './task-context.js';

/**
 * An author's follower count crossed the pull threshold (pull_author_changed, enqueued with the
 * follow edge change that crossed it): every follower's read-model hash must gain `p:<author>`
 * (now above it) or lose it (back to it). Plans the batches (FollowsRepository.planFollowerRanges:
 * ranges of the author's followers, in the author's queue, after this plan, one at a time); each
 * reads the count again. A follower who arrives later gets `p:` from their own follow_changed job.
 */
export function pullAuthorChangedTask(context: TaskContext): Task {
  return async (payload) => {
    const { authorId } = payload as PullAuthorPayload;
    await context.storage.follows.planFollowerRanges(authorId, context.fanoutBatchSize, OUTBOX_TASKS.pullAuthorBatch, pullAuthorQueueName(authorId));
  };
}

/**
 * One range of the author's followers: `p:<author>` = the follower count when the author has
 * more followers than the threshold now, else removed. It acts on the state when it runs, not on
 * the crossing that planned it, so replays and a crossing quickly undone converge on the
 * current state.
 */
export function pullAuthorBatchTask(context: TaskContext): Task {
  return async (payload) => {
    const batch = payload as PullAuthorBatchPayload;
    const { followerCount: count, followerIds } = await context.storage.follows.followerRange(batch.authorId, batch.fromFollowerId, batch.toFollowerId);
    if (count === null) return;
    await writePulledAuthor(context.redis, followerIds, batch.authorId, count > context.pullThreshold ? count : undefined);
  };
}
