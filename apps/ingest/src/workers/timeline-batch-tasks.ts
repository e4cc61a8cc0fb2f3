import { setTimeout as sleep } from 'node:timers/promises';
import type { Task } from 'graphile-worker';
import type { TimelineBatchPayload } from '../outbox/outbox-tasks.js';
import { pushToTimelines, removeFromTimelines } from '../timelines/home-timelines.js';
import { loadBatchFollowers } from './plan-timeline-batches.js';
import type { TaskContext } from './task-context.js';

/** Pushes one item into one batch of follower timelines (one pipeline). Skips deleted items. */
export function fanoutBatchTask(context: TaskContext): Task {
  return async (payload) => {
    const batch = payload as TimelineBatchPayload;
    const { itemStatus, followerIds } = await loadBatchFollowers(context.pool, batch);
    if (itemStatus !== 1) return;
    await pushToTimelines(context.redis, followerIds, [{ member: batch.member, score: batch.score }]);
    if (context.fanoutBatchPauseMs > 0) await sleep(context.fanoutBatchPauseMs);
  };
}

/** Removes one item from one batch of follower timelines. */
export function unfanoutBatchTask(context: TaskContext): Task {
  return async (payload) => {
    const batch = payload as TimelineBatchPayload;
    const { followerIds } = await loadBatchFollowers(context.pool, batch);
    await removeFromTimelines(context.redis, followerIds, [batch.member]);
  };
}
