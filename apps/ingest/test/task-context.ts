// For the outbox tasks' unit tests (src/workers/*.test.ts): a task context over fake repositories
// that record what a task asked of them, and a real Redis (db 11, the run's key prefix) for the
// read-model writes the tasks make through storage's functions.
import { createRedis, type Repositories } from '@feedmesh/storage';
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
