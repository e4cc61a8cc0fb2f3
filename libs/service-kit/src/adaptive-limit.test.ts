import { describe, expect, it } from 'vitest';
import { AdaptiveLimit } from './adaptive-limit.js';

/** Feeds `windows` full windows (10 calls over 108 ms each) of calls taking `rttMs`, with the limit in use. */
function run(limit: AdaptiveLimit, clock: { now: number }, windows: number, rttMs: number, options: { budgetMs?: number; inFlight?: (limit: number) => number } = {}) {
  for (let w = 0; w < windows; w++) {
    for (let i = 0; i < 10; i++) {
      clock.now += 12;
      limit.sample(rttMs, options.budgetMs ?? 1_000, options.inFlight ? options.inFlight(limit.current) : limit.current, clock.now);
    }
  }
}

describe('AdaptiveLimit', () => {
  it('grows while latency holds and the limit is in use, up to its ceiling', () => {
    const clock = { now: 0 };
    const limit = new AdaptiveLimit({ initial: 20, min: 4, max: 100 });
    run(limit, clock, 5, 10);
    expect(limit.current).toBeGreaterThan(20);
    run(limit, clock, 200, 10);
    expect(limit.current).toBe(100);
  });

  it('shrinks when latency rises above 1.5× its long-term average (calls queue instead of running)', () => {
    const clock = { now: 0 };
    const limit = new AdaptiveLimit({ initial: 40, min: 4, max: 256 });
    run(limit, clock, 20, 10);
    const before = limit.current;
    run(limit, clock, 10, 60);
    expect(limit.current).toBeLessThan(before * 0.6);
    expect(limit.current).toBeGreaterThanOrEqual(4);
  });

  it('drops to below the concurrency in use when latency rises there, even under a higher limit', () => {
    const clock = { now: 0 };
    const limit = new AdaptiveLimit({ initial: 20, min: 1, max: 256 });
    run(limit, clock, 20, 70, { inFlight: () => 1 });
    expect(limit.current).toBe(20);
    // Eight calls at a time take 370 ms where one took 70: eight is already too many.
    run(limit, clock, 1, 370, { inFlight: () => 8 });
    expect(limit.current).toBeLessThan(8);
  });

  it('stays put within the tolerance', () => {
    const clock = { now: 0 };
    const limit = new AdaptiveLimit({ initial: 40, min: 4, max: 256 });
    run(limit, clock, 20, 10);
    const before = limit.current;
    // 1.4× the average: still no queueing by the limit's reckoning, so no decrease.
    run(limit, clock, 3, 14);
    expect(limit.current).toBeGreaterThanOrEqual(before);
  });

  it('backs off at once when calls use more than half their deadline, whatever the average', () => {
    const clock = { now: 0 };
    const limit = new AdaptiveLimit({ initial: 50, min: 4, max: 256 });
    run(limit, clock, 1, 600, { budgetMs: 1_000 });
    expect(limit.current).toBe(40);
    run(limit, clock, 1, 600, { budgetMs: 1_000 });
    expect(limit.current).toBe(32);
  });

  it('learns nothing from windows where less than half the limit was used', () => {
    const clock = { now: 0 };
    const limit = new AdaptiveLimit({ initial: 40, min: 4, max: 256 });
    run(limit, clock, 20, 10, { inFlight: () => 3 });
    expect(limit.current).toBe(40);
  });

  it('never goes below its floor', () => {
    const clock = { now: 0 };
    const limit = new AdaptiveLimit({ initial: 10, min: 6, max: 256 });
    run(limit, clock, 30, 900, { budgetMs: 1_000 });
    expect(limit.current).toBe(6);
  });

  it('closes a window of few calls after a second', () => {
    const limit = new AdaptiveLimit({ initial: 10, min: 1, max: 256 });
    limit.sample(900, 1_000, 10, 0);
    limit.sample(900, 1_000, 10, 500);
    expect(limit.current).toBe(10);
    limit.sample(900, 1_000, 10, 1_000);
    expect(limit.current).toBe(8);
  });
});
