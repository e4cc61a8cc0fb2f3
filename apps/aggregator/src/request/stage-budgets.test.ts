import { describe, expect, it } from 'vitest';
import { deadlineAfter } from '@feedmesh/service-kit';
import { stageBudgets } from './stage-budgets.js';

/** A caller deadline with exactly `ms` left (the kit's deadlines read the clock). */
const callerLeft = (ms: number) => ({ callerDeadline: Date.now() + ms, remaining: () => ms });

describe('stageBudgets', () => {
  it('splits the caller deadline', () => {
    const b = stageBudgets(callerLeft(1_000), 250);
    expect(b.defaulted).toBe(false);
    expect(b.totalMs).toBe(1_000);
    expect(b.recallMs + b.rankingMs + b.renderMs).toBeCloseTo(995, 6);
    expect(b.recallMs).toBeGreaterThan(b.rankingMs);
  });

  it('uses the default total when the caller set no deadline (the call runs to the kit cap)', () => {
    expect(stageBudgets(deadlineAfter(undefined), 250)).toMatchObject({ totalMs: 250, defaulted: true });
    expect(stageBudgets({ callerDeadline: undefined, remaining: () => 29_998 }, 250)).toMatchObject({ totalMs: 250, defaulted: true });
  });

  it('flags a deadline too short for every stage floor', () => {
    expect(stageBudgets(callerLeft(10), 250).belowFloor).toBe(true);
  });
});
