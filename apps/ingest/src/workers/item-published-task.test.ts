import { ItemStatus } from '@feedmesh/contracts';
import { deleteFeedmeshKeys, memberOf, readItemRecords, waitForRedis } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ITEM, indexableItem, itemTaskContext, jobHelpers as helpers, taskRedis as redis } from '../../test/task-context.js';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { itemDeletedTask } from './item-changed-tasks.js';
import { itemPublishedTask } from './item-published-task.js';

const item = indexableItem;
const contextWith = itemTaskContext;

beforeAll(() => waitForRedis(redis));
afterAll(async () => {
  await deleteFeedmeshKeys(redis);
  redis.disconnect();
});

describe('itemPublishedTask', () => {
  it("writes the item's record, indexes it and plans its fan-out in batches", async () => {
    await deleteFeedmeshKeys(redis);
    const { context, calls } = contextWith(item());
    await itemPublishedTask(context)({ itemId: ITEM }, helpers);
    expect((await readItemRecords(redis, [ITEM])).get(ITEM)).toEqual({ status: 'active', createdAtMs: 1_750_000_000_000, views: 5, likes: 2, shares: 1, hides: 0 });
    expect(calls).toEqual([
      ['index', item()],
      ['planFollowerBatches', OUTBOX_TASKS.fanoutBatch, { itemId: ITEM, authorId: 'a1', member: memberOf(item()), score: 1_750_000_000_000 }, 500],
    ]);
  });

  it("keeps a record already there (a rollup's newer counters, a delete's tombstone)", async () => {
    await deleteFeedmeshKeys(redis);
    await itemDeletedTask(contextWith(item({ status: ItemStatus.DELETED })).context)({ itemId: ITEM }, helpers);
    await itemPublishedTask(contextWith(item()).context)({ itemId: ITEM }, helpers);
    expect((await readItemRecords(redis, [ITEM])).get(ITEM)?.status).toBe('deleted');
  });

  it('does not push the items of an author above the pull threshold: recall pulls them', async () => {
    const { context, calls } = contextWith(item({ authorFollowerCount: 101 }));
    await itemPublishedTask(context)({ itemId: ITEM }, helpers);
    expect(calls.map(([name]) => name)).toEqual(['index']);
    const atThreshold = contextWith(item({ authorFollowerCount: 100 }));
    await itemPublishedTask(atThreshold.context)({ itemId: ITEM }, helpers);
    expect(atThreshold.calls.map(([name]) => name)).toEqual(['index', 'planFollowerBatches']);
  });

  it('does nothing for an item deleted (or gone) before the job ran', async () => {
    for (const stored of [undefined, item({ status: ItemStatus.DELETED })]) {
      await deleteFeedmeshKeys(redis);
      const { context, calls } = contextWith(stored);
      await itemPublishedTask(context)({ itemId: ITEM }, helpers);
      expect(calls).toEqual([]);
      expect(await readItemRecords(redis, [ITEM])).toEqual(new Map());
    }
  });
});
