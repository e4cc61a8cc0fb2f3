import { ItemStatus } from '@feedmesh/contracts';
import { deleteFeedmeshKeys, memberOf, readItemRecords, waitForRedis, type IndexableItem } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobHelpers as helpers, recorder, taskContext, taskRedis as redis } from '../../test/task-context.js';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { itemDeletedTask, itemEditedTask } from './item-changed-tasks.js';

const ITEM = '0f8fad5b-d9cb-469f-a165-70867728950e';
const item = (fields: Partial<IndexableItem> = {}): IndexableItem => ({
  id: ITEM,
  kind: 1,
  authorId: 'a1',
  status: ItemStatus.ACTIVE,
  topics: ['news'],
  createdAtMs: 1_750_000_000_000,
  authorFollowerCount: 10,
  stats: { views: 5, likes: 2, shares: 1, hides: 0, clicks: 3 },
  ...fields,
});

/** The item store holds `stored`; the timelines and follows repositories record their calls. */
function contextWith(stored: IndexableItem | undefined) {
  const calls: unknown[][] = [];
  const record = recorder(calls);
  const context = taskContext({
    items: { indexable: async () => stored },
    timelines: { index: record('index'), unindex: record('unindex'), reindexEdited: record('reindexEdited') },
    follows: { planFollowerBatches: record('planFollowerBatches') },
  });
  return { context, calls };
}

beforeAll(() => waitForRedis(redis));
afterAll(async () => {
  await deleteFeedmeshKeys(redis);
  redis.disconnect();
});

describe('itemEditedTask', () => {
  it('reindexes an active item against its previous topics, and skips a deleted one', async () => {
    const active = contextWith(item({ topics: ['tech'] }));
    await itemEditedTask(active.context)({ itemId: ITEM, previousTopics: ['news'] }, helpers);
    expect(active.calls).toEqual([['reindexEdited', item({ topics: ['tech'] }), ['news']]]);
    const deleted = contextWith(item({ status: ItemStatus.DELETED }));
    await itemEditedTask(deleted.context)({ itemId: ITEM, previousTopics: [] }, helpers);
    expect(deleted.calls).toEqual([]);
  });
});

describe('itemDeletedTask', () => {
  it("tombstones the record, unindexes the item and plans its removal from every follower's timeline", async () => {
    await deleteFeedmeshKeys(redis);
    // Planned whatever the author's size: followers may hold the item from before a crossing.
    const deleted = item({ status: ItemStatus.DELETED, authorFollowerCount: 1_000_000 });
    const { context, calls } = contextWith(deleted);
    await itemDeletedTask(context)({ itemId: ITEM }, helpers);
    expect((await readItemRecords(redis, [ITEM])).get(ITEM)?.status).toBe('deleted');
    expect(calls).toEqual([
      ['unindex', deleted],
      ['planFollowerBatches', OUTBOX_TASKS.unfanoutBatch, { itemId: ITEM, authorId: 'a1', member: memberOf(deleted), score: deleted.createdAtMs }, 500],
    ]);
  });

  it('does nothing for an item that is active again or gone', async () => {
    for (const stored of [undefined, item()]) {
      const { context, calls } = contextWith(stored);
      await itemDeletedTask(context)({ itemId: ITEM }, helpers);
      expect(calls).toEqual([]);
    }
  });
});
