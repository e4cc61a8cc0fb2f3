import type { RolledUp } from '@feedmesh/storage';
import { describe, expect, it } from 'vitest';
import { startEngagementRollup, type RollupLog } from './engagement-rollup.js';

const rolled = (n: number): RolledUp => ({ rolled: n, oldestQueuedMs: n ? Date.now() - 100 : null, stats: [], authorAffinities: [], kindAffinities: [] });

function harness(answers: Array<number | Error>) {
  const calls: number[] = [];
  const warnings: string[] = [];
  const failures: string[] = [];
  const log: RollupLog = {
    async rollUp(limit) {
      calls.push(performance.now());
      const next = answers.shift() ?? 0;
      if (next instanceof Error) throw next;
      return rolled(Math.min(next, limit));
    },
    pending: async () => 0,
  };
  const runner = startEngagementRollup({
    log,
    storage: { timelines: { bumpTrending: async () => true } } as never,
    redis: {} as never,
    logger: { warn: (_: unknown, line: string) => warnings.push(line) } as never,
    readModelFailures: { record: (write: string) => failures.push(write) },
    batchSize: 100,
    idleMs: 60,
  });
  return { runner, calls, warnings, failures };
}

describe('startEngagementRollup', () => {
  it('goes on at once after a full rollup, and waits idleMs after a partial one', async () => {
    const { runner, calls } = harness([100, 100, 30]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await runner.stop();
    // Two full rollups, each followed at once by the next; the partial third by the idle wait.
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls[1]! - calls[0]!).toBeLessThan(55);
    expect(calls[2]! - calls[1]!).toBeLessThan(55);
    expect(calls[3]! - calls[2]!).toBeGreaterThanOrEqual(55);
  });

  it('a failed rollup is retried with backoff, logged once per outage, and leaves the events queued', async () => {
    const { runner, calls, warnings } = harness([new Error('connection terminated'), new Error('connection terminated'), 10]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(calls.length).toBeGreaterThanOrEqual(3);
    expect(warnings).toEqual(['engagement rollup failed; retrying with backoff (the queued events stay queued)']);
    await runner.stop();
  });

  it('a lost read-model write is counted, and the rollup goes on', async () => {
    const calls: number[] = [];
    const failures: string[] = [];
    const runner = startEngagementRollup({
      log: {
        rollUp: async () => {
          calls.push(1);
          if (calls.length > 1) return rolled(0);
          return { ...rolled(5), stats: [{ itemId: 'i1', kind: 1, authorId: 'a1', createdAtMs: 1, views: 5, likes: 0, shares: 0, hides: 0, clicks: 0 }] };
        },
        pending: async () => 0,
      },
      storage: { timelines: { bumpTrending: async () => true } } as never,
      // No Redis at all: writeEngagementRollup rejects.
      redis: { pipeline: () => { throw new Error('redis down'); }, eval: () => Promise.reject(new Error('redis down')) } as never,
      logger: { warn: () => undefined } as never,
      readModelFailures: { record: (write: string) => failures.push(write) },
      batchSize: 100,
      idleMs: 10,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await runner.stop();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    expect(failures).toEqual(['engagement_rollup']);
  });
});
