import { describe, expect, it } from 'vitest';
import { stageBudgets } from './stage-budgets.js';

describe('stageBudgets', () => {
  it('splits the caller deadline', () => {
    const b = stageBudgets(1_000, 30_000, 250);
    expect(b.defaulted).toBe(false);
    expect(b.totalMs).toBe(1_000);
    expect(b.recallMs + b.rankingMs + b.renderMs).toBeCloseTo(995, 6);
    expect(b.recallMs).toBeGreaterThan(b.rankingMs);
  });

  it('uses the default total when there is no deadline or only the kit cap', () => {
    expect(stageBudgets(undefined, 30_000, 250)).toMatchObject({ totalMs: 250, defaulted: true });
    expect(stageBudgets(29_998, 30_000, 250)).toMatchObject({ totalMs: 250, defaulted: true });
  });

  it('flags a deadline too short for every stage floor', () => {
    expect(stageBudgets(10, 30_000, 250).belowFloor).toBe(true);
  });
});
