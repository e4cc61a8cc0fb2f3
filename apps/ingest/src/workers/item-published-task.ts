import type { Task } from 'graphile-worker';
import { OUTBOX_TASKS, type ItemEventPayload } from '../outbox/outbox-tasks.js';
import { indexItem, memberOf } from '../timelines/item-index.js';
import { loadItem } from './load-item.js';
import { planTimelineBatches } from './plan-timeline-batches.js';
import type { TaskContext } from './task-context.js';

/**
 * Indexes a new item (author recent, topics, trending) and, for authors at or below the pull
 * threshold, enqueues its fan-out in batches. Authors above it are pull authors: their items
 * stay in their recent zset, which recall merges at read time; one publish of theirs would
 * otherwise cost millions of writes.
 */
export function itemPublishedTask(context: TaskContext): Task {
  return async (payload, helpers) => {
    const { itemId } = payload as ItemEventPayload;
    const item = await loadItem(context.pool, itemId);
    if (!item || item.status !== 1) return;
    await indexItem(context.redis, item);
    if (item.authorFollowerCount > context.pullThreshold) {
      helpers.logger.debug(`item ${itemId}: author has ${item.authorFollowerCount} followers, pulled at read time`);
      return;
    }
    await planTimelineBatches(
      context.pool,
      OUTBOX_TASKS.fanoutBatch,
      { itemId, authorId: item.authorId, member: memberOf(item), score: item.createdAtMs },
      context.fanoutBatchSize,
    );
  };
}
