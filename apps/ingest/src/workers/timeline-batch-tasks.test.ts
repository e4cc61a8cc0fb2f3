import { ItemStatus } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { jobHelpers, recorder, taskContext } from '../../test/task-context.js';
import type { TimelineBatchPayload } from '../outbox/outbox-tasks.js';
import { fanoutBatchTask, unfanoutBatchTask } from './timeline-batch-tasks.js';

const batch: TimelineBatchPayload = { itemId: 'i1', authorId: 'a1', member: 'member-of-i1', score: 42, fromFollowerId: 'f', limit: 500 };

function contextWith(itemStatus: ItemStatus | null, settings: { fanoutBatchPauseMs?: number } = {}) {
  const calls: unknown[][] = [];
  const record = recorder(calls);
  const context = taskContext(
    {
      follows: { batchFollowers: record('batchFollowers', { itemStatus, followerIds: ['f1', 'f2'] }) },
      timelines: { pushToHomes: record('pushToHomes'), removeFromHomes: record('removeFromHomes') },
    },
    settings,
  );
  return { context, calls };
}

describe('fanoutBatchTask', () => {
  it("pushes the item's member and score into the batch's follower timelines", async () => {
    const { context, calls } = contextWith(ItemStatus.ACTIVE);
    await fanoutBatchTask(context)(batch, jobHelpers);
    expect(calls).toEqual([
      ['batchFollowers', batch],
      ['pushToHomes', ['f1', 'f2'], [{ member: 'member-of-i1', score: 42 }]],
    ]);
  });

  it('skips an item deleted (or gone) before its batch ran', async () => {
    for (const status of [ItemStatus.DELETED, null]) {
      const { context, calls } = contextWith(status);
      await fanoutBatchTask(context)(batch, jobHelpers);
      expect(calls.map(([name]) => name)).toEqual(['batchFollowers']);
    }
  });

  it('pauses after a batch when a write-rate cap is set', async () => {
    const { context } = contextWith(ItemStatus.ACTIVE, { fanoutBatchPauseMs: 60 });
    const started = performance.now();
    await fanoutBatchTask(context)(batch, jobHelpers);
    expect(performance.now() - started).toBeGreaterThanOrEqual(55);
  });
});

describe('unfanoutBatchTask', () => {
  it("removes the item's member from the batch's follower timelines, whatever the item's status", async () => {
    const { context, calls } = contextWith(ItemStatus.ACTIVE);
    await unfanoutBatchTask(context)(batch, jobHelpers);
    expect(calls).toEqual([
      ['batchFollowers', batch],
      ['removeFromHomes', ['f1', 'f2'], ['member-of-i1']],
    ]);
  });
});
