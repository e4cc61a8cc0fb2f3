import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Admission, type AdmissionWaiter, type RefusalReason } from './admission.js';

class Waiter implements AdmissionWaiter {
  outcome: 'admitted' | RefusalReason | undefined;
  abandoned = false;
  admitted(): void {
    this.outcome = 'admitted';
  }
  refused(reason: RefusalReason): void {
    this.outcome = reason;
  }
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Admission', () => {
  it('admits up to the limit, queues up to the queue bound and refuses the rest at once', () => {
    const refusals: RefusalReason[] = [];
    const admission = new Admission({ maxConcurrent: 2, maxQueued: 1, maxQueueWaitMs: 100 }, (r) => refusals.push(r));
    expect([admission.tryAcquire(), admission.tryAcquire(), admission.tryAcquire()]).toEqual([true, true, false]);
    const queued = new Waiter();
    const overflow = new Waiter();
    expect(admission.enqueue(queued)).toBe(true);
    expect(admission.enqueue(overflow)).toBe(false);
    expect(overflow.outcome).toBe('queue_full');
    expect(queued.outcome).toBeUndefined();
    expect(refusals).toEqual(['queue_full']);
    expect([admission.running, admission.queued]).toEqual([2, 1]);

    admission.release();
    expect(queued.outcome).toBe('admitted');
    expect([admission.running, admission.queued]).toEqual([2, 0]);
  });

  it('hands freed slots to waiters in arrival order, skipping abandoned ones', () => {
    const admission = new Admission({ maxConcurrent: 1, maxQueued: 10, maxQueueWaitMs: 100 });
    admission.tryAcquire();
    const [first, gone, third] = [new Waiter(), new Waiter(), new Waiter()];
    for (const w of [first, gone, third]) admission.enqueue(w);
    gone.abandoned = true;
    admission.release();
    expect([first.outcome, third.outcome]).toEqual(['admitted', undefined]);
    admission.release();
    expect([gone.outcome, third.outcome]).toEqual(['abandoned', 'admitted']);
    admission.release();
    expect([admission.running, admission.queued]).toEqual([0, 0]);
  });

  it('does not let a newcomer overtake the queue', () => {
    const admission = new Admission({ maxConcurrent: 1, maxQueued: 10, maxQueueWaitMs: 100 });
    admission.tryAcquire();
    const waiter = new Waiter();
    admission.enqueue(waiter);
    admission.release();
    expect(waiter.outcome).toBe('admitted');
    expect(admission.tryAcquire()).toBe(false);
  });

  it('refuses waiters whose wait is over, even when no slot frees up', () => {
    const refusals: RefusalReason[] = [];
    const admission = new Admission({ maxConcurrent: 1, maxQueued: 10, maxQueueWaitMs: 100 }, (r) => refusals.push(r));
    admission.tryAcquire();
    const early = new Waiter();
    admission.enqueue(early);
    vi.advanceTimersByTime(60);
    const late = new Waiter();
    admission.enqueue(late);
    vi.advanceTimersByTime(41);
    expect([early.outcome, late.outcome]).toEqual(['queue_timeout', undefined]);
    vi.advanceTimersByTime(60);
    expect(late.outcome).toBe('queue_timeout');
    expect(refusals).toEqual(['queue_timeout', 'queue_timeout']);
    expect(admission.queued).toBe(0);
  });

  it('has no limit with maxConcurrent 0', () => {
    const admission = new Admission({ maxConcurrent: 0, maxQueued: 0, maxQueueWaitMs: 0 });
    for (let i = 0; i < 10_000; i++) expect(admission.tryAcquire()).toBe(true);
  });

  it('with an adaptive limit: starts at its ceiling, and admits no more than the limit once it shrank', () => {
    const admission = new Admission({ maxConcurrent: 20, adaptive: true, minConcurrent: 2, maxQueued: 100, maxQueueWaitMs: 10_000 });
    expect(admission.limit).toBe(20);
    for (let i = 0; i < 20; i++) expect(admission.tryAcquire()).toBe(true);
    expect(admission.tryAcquire()).toBe(false);
    const waiters = Array.from({ length: 10 }, () => new Waiter());
    for (const w of waiters) admission.enqueue(w);
    // Ten calls that used 90 % of their deadline: one window, the limit backs off to 16.
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(12);
      admission.release({ rttMs: 900, budgetMs: 1_000 });
    }
    expect(admission.limit).toBe(16);
    // Nine waiters took the first nine slots freed; the tenth release left 19 running, over the new limit.
    expect([admission.running, admission.queued]).toEqual([19, 1]);
    for (let i = 0; i < 3; i++) admission.release();
    expect([admission.running, admission.queued]).toEqual([16, 1]);
    admission.release();
    expect([admission.running, admission.queued]).toEqual([16, 0]);
    expect(waiters.every((w) => w.outcome === 'admitted')).toBe(true);
  });

  it('refuses at once a call that would wait out MAX_QUEUE_WAIT_MS behind the queue, judged by how fast slots free up', () => {
    const refusals: RefusalReason[] = [];
    const admission = new Admission({ maxConcurrent: 1, maxQueued: 100, maxQueueWaitMs: 100 }, (r) => refusals.push(r));
    admission.tryAcquire();
    // Slots free up every 40 ms while calls wait.
    for (let i = 0; i < 3; i++) {
      admission.enqueue(new Waiter());
      vi.advanceTimersByTime(40);
      admission.release();
    }
    expect(refusals).toEqual([]);
    const second = new Waiter();
    const third = new Waiter();
    admission.enqueue(new Waiter());
    admission.enqueue(second);
    // Third in line: 3 × 40 ms > 100 ms.
    expect(admission.enqueue(third)).toBe(false);
    expect([second.outcome, third.outcome]).toEqual([undefined, 'queue_full']);
  });
});
