import { ItemStatus } from '@feedmesh/contracts';
import { activeItemRecord, memberOf, writeItemRecords } from '@feedmesh/storage';
import type { Task } from 'graphile-worker';
import { OUTBOX_TASKS, type ItemEventPayload } from '../outbox/outbox-tasks.js';
import type { TaskContext } from './task-context.js';

/**
 * Writes a new item's read-model record, indexes it (author recent, topics, trending, fresh)
 * and, for authors at or below the pull threshold, enqueues its fan-out in batches. The record
 * is written only where absent: a rollup may already have written newer counters (and a delete
 * its tombstone); the counters here are Postgres' at load time, zero for a new item. Authors above it are pull authors: their items
 * stay in their recent zset, which recall merges at read time; one publish of theirs would
 * otherwise cost millions of writes.
 */
export function itemPublishedTask(context: TaskContext): Task {
  return async (payload, helpers) => {
    const { itemId } = payload as ItemEventPayload;
    const { items, timelines, follows } = context.storage;
    const item = await items.indexable(itemId);
    if (!item || item.status !== ItemStatus.ACTIVE) return;
    await writeItemRecords(context.redis, [[item.id, activeItemRecord(item.createdAtMs, item.stats)]], { overwrite: false });
    await timelines.index(item);
    if (item.authorFollowerCount > context.pullThreshold) {
      helpers.logger.debug(`item ${itemId}: author has ${item.authorFollowerCount} followers, pulled at read time`);
      return;
    }
    await follows.planFollowerBatches(
      OUTBOX_TASKS.fanoutBatch,
      { itemId, authorId: item.authorId, member: memberOf(item), score: item.createdAtMs },
      context.fanoutBatchSize,
    );
  };
}
