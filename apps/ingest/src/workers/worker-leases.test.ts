import type { OutboxRepository } from '@feedmesh/storage';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WorkerLeases } from './worker-leases.js';

function fakeOutbox(failWith?: Error) {
  const calls: unknown[][] = [];
  const outbox = {
    renewLeasesAndSweep: async (ids: string[], instance: string, leaseMs: number) => {
      calls.push(['renew', ids, instance, leaseMs]);
      if (failWith) throw failWith;
      return ['dead-pool'];
    },
    releaseLeases: async (ids: string[]) => {
      calls.push(['release', ids]);
      if (failWith) throw failWith;
    },
  } as unknown as OutboxRepository;
  return { outbox, calls };
}

afterEach(() => vi.useRealTimers());

describe('WorkerLeases', () => {
  it('renews the leases of the pools it holds and returns the pools whose jobs the sweep freed', async () => {
    const { outbox, calls } = fakeOutbox();
    const leases = new WorkerLeases(outbox, 'host-1', 30_000, () => {});
    leases.add('w1');
    leases.add('w2');
    leases.remove(['w1']);
    expect(await leases.beat()).toEqual(['dead-pool']);
    expect(calls).toEqual([['renew', ['w2'], 'host-1', 30_000]]);
  });

  it('beats at once and then every third of the lease, and gives the leases up on stop', async () => {
    vi.useFakeTimers();
    const { outbox, calls } = fakeOutbox();
    const leases = new WorkerLeases(outbox, 'host-1', 3_000, () => {});
    leases.add('w1');
    leases.start();
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    await leases.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(calls.slice(2)).toEqual([['release', ['w1']]]);
  });

  it('beats at most every 250 ms however short the lease', async () => {
    vi.useFakeTimers();
    const { outbox, calls } = fakeOutbox();
    const leases = new WorkerLeases(outbox, 'host-1', 300, () => {});
    leases.start();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(calls).toHaveLength(5);
    await leases.stop();
  });

  it('reports failed beats and releases to onError instead of throwing', async () => {
    vi.useFakeTimers();
    const failure = new Error('postgres down');
    const errors: unknown[] = [];
    const leases = new WorkerLeases(fakeOutbox(failure).outbox, 'host-1', 3_000, (error) => errors.push(error));
    leases.start();
    await vi.advanceTimersByTimeAsync(0);
    await leases.stop();
    expect(errors).toEqual([failure, failure]);
  });
});
