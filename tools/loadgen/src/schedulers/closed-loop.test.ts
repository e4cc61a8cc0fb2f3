import { describe, expect, it } from 'vitest';
import { CallSlot } from '../call-slot.js';
import { ClosedLoopScheduler } from './closed-loop.js';

describe('ClosedLoopScheduler', () => {
  it('keeps N calls in flight and stops at the request bound', async () => {
    let now = 0;
    const inflight: CallSlot[] = [];
    let maxInflight = 0;
    const scheduler = new ClosedLoopScheduler({
      concurrency: 3,
      window: { startMs: 0, measureStartMs: 0, endMs: Infinity, maxMeasuredRequests: 10 },
      clock: { now: () => now },
      createSlot: (id) => new CallSlot(id, (slot) => scheduler.release(slot)),
      dispatch: (slot, intended) => {
        expect(intended).toBe(now);
        inflight.push(slot);
        maxInflight = Math.max(maxInflight, inflight.length);
      },
    });
    const done = scheduler.run();
    while (inflight.length > 0) {
      now += 1;
      inflight.shift()!.finish(0);
    }
    await done;
    expect(scheduler.stats().sent).toBe(10);
    expect(maxInflight).toBe(3);
  });

  it('sends nothing new once the window has ended', async () => {
    let now = 0;
    const inflight: CallSlot[] = [];
    const scheduler = new ClosedLoopScheduler({
      concurrency: 2,
      window: { startMs: 0, measureStartMs: 5, endMs: 10, maxMeasuredRequests: Infinity },
      clock: { now: () => now },
      createSlot: (id) => new CallSlot(id, (slot) => scheduler.release(slot)),
      dispatch: (slot) => inflight.push(slot),
    });
    const done = scheduler.run();
    while (inflight.length > 0) {
      now += 2;
      inflight.shift()!.finish(0);
    }
    await done;
    expect(now).toBeGreaterThanOrEqual(10);
    // Sends at 2, 4 were warmup; 6 and 8 were measured; at 10 the window was closed.
    expect(scheduler.stats().sent).toBe(2);
  });
});
