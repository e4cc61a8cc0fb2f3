import { ItemStatus } from '@feedmesh/contracts';
import { markItemsDeleted, memberOf } from '@feedmesh/storage';
import type { Task } from 'graphile-worker';
import { OUTBOX_TASKS, type ItemEditedPayload, type ItemEventPayload } from '../outbox/outbox-tasks.js';
import type { TaskContext } from './task-context.js';

/** An edit: topics may have changed, and the cached card is stale. */
export function itemEditedTask(context: TaskContext): Task {
  return async (payload) => {
    const { itemId, previousTopics } = payload as ItemEditedPayload;
    const item = await context.storage.items.indexable(itemId);
    if (!item || item.status !== ItemStatus.ACTIVE) return;
    await context.storage.timelines.reindexEdited(item, previousTopics);
  };
}

/**
 * A delete: the item's read-model record becomes a tombstone (a later rollup cannot revive it),
 * the item leaves its author, topic, trending and fresh zsets and the card cache at once, then
 * every follower timeline in batches. Removal is planned whatever the author's size:
 * followers may hold the item from a backfill or from before the author crossed the threshold.
 */
export function itemDeletedTask(context: TaskContext): Task {
  return async (payload) => {
    const { itemId } = payload as ItemEventPayload;
    const { items, timelines, follows } = context.storage;
    const item = await items.indexable(itemId);
    if (!item || item.status === ItemStatus.ACTIVE) return;
    await markItemsDeleted(context.redis, [itemId]);
    await timelines.unindex(item);
    await follows.planFollowerBatches(
      OUTBOX_TASKS.unfanoutBatch,
      { itemId, authorId: item.authorId, member: memberOf(item), score: item.createdAtMs },
      context.fanoutBatchSize,
    );
  };
}
