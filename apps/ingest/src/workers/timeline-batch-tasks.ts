import { setTimeout as sleep } from 'node:timers/promises';
import { ItemStatus } from '@feedmesh/contracts';
import type { Task } from 'graphile-worker';
import type { TimelineBatchPayload } from '../outbox/outbox-tasks.js';
import type { TaskContext } from './task-context.js';

/** Pushes one item into one batch of follower timelines (one pipeline). Skips deleted items. */
export function fanoutBatchTask(context: TaskContext): Task {
  return async (payload) => {
    const batch = payload as TimelineBatchPayload;
    const { itemStatus, followerIds } = await context.storage.follows.batchFollowers(batch);
    if (itemStatus !== ItemStatus.ACTIVE) return;
    await context.storage.timelines.pushToHomes(followerIds, [{ member: batch.member, score: batch.score }]);
    if (context.fanoutBatchPauseMs > 0) await sleep(context.fanoutBatchPauseMs);
  };
}

/** Removes one item from one batch of follower timelines. */
export function unfanoutBatchTask(context: TaskContext): Task {
  return async (payload) => {
    const batch = payload as TimelineBatchPayload;
    const { followerIds } = await context.storage.follows.batchFollowers(batch);
    await context.storage.timelines.removeFromHomes(followerIds, [batch.member]);
  };
}
