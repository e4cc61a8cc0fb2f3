import { ItemStatus } from '@feedmesh/contracts';
import { deleteFeedmeshKeys, memberOf, readItemRecords, waitForRedis } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM, indexableItem, itemTaskContext, jobHelpers as helpers, taskRedis as redis } from '../../test/task-context.js';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { itemDeletedTask, itemEditedTask } from './item-changed-tasks.js';

const item = indexableItem;
const contextWith = itemTaskContext;

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
