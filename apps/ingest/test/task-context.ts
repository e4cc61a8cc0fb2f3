// For the outbox tasks' unit tests (src/workers/*.test.ts): a task context over fake repositories
// that record what a task asked of them, and a real Redis (db 11, the run's key prefix) for the
// read-model writes the tasks make through storage's functions.
import { ItemStatus } from '@feedmesh/contracts';
import { createRedis, type IndexableItem, type Repositories } from '@feedmesh/storage';
import type { JobHelpers } from 'graphile-worker';
import type { TaskContext } from '../src/workers/task-context.js';

export const taskRedis = createRedis({ url: 'redis://127.0.0.1:6379/11', lazyConnect: true });

export const jobHelpers = { logger: { debug: () => {} } } as unknown as JobHelpers;

/** Repository methods that only record their calls, as [name, ...args]. */
export function recorder(calls: unknown[][]) {
  return (name: string, result?: unknown) =>
    async (...args: unknown[]) => {
      calls.push([name, ...args]);
      return result;
    };
}

export function taskContext(storage: object, settings: Partial<Omit<TaskContext, 'storage' | 'redis'>> = {}): TaskContext {
  return { storage: storage as Repositories, redis: taskRedis, fanoutBatchSize: 500, fanoutBatchPauseMs: 0, pullThreshold: 100, backfillLimit: 20, ...settings };
}

export const ITEM = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** An active item as the item tasks load it, with `fields` changed. */
export const indexableItem = (fields: Partial<IndexableItem> = {}): IndexableItem => ({
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
export function itemTaskContext(stored: IndexableItem | undefined) {
  const calls: unknown[][] = [];
  const record = recorder(calls);
  const context = taskContext({
    items: { indexable: async () => stored },
    timelines: { index: record('index'), unindex: record('unindex'), reindexEdited: record('reindexEdited') },
    follows: { planFollowerBatches: record('planFollowerBatches') },
  });
  return { context, calls };
}
