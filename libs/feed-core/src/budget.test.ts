import { describe, expect, it } from 'vitest';
import { defaultBudgetPolicy, splitBudget, type BudgetPolicy } from './budget.js';

const policy: BudgetPolicy = {
  defaultTotalMs: 200,
  reserveMs: 10,
  floorMs: 5,
  proportions: { recall: 2, ranking: 1, render: 1 },
};

describe('splitBudget', () => {
  it('gives each stage its floor plus its share of the rest', () => {
    const b = splitBudget(110, policy); // 100 spendable, 85 after floors
    expect(b).toMatchObject({ totalMs: 110, defaulted: false, belowFloor: false });
    expect(b.recallMs).toBeCloseTo(5 + 42.5, 9);
    expect(b.rankingMs).toBeCloseTo(5 + 21.25, 9);
    expect(b.renderMs).toBeCloseTo(5 + 21.25, 9);
    expect(b.recallMs + b.rankingMs + b.renderMs).toBe(100);
  });

  it('uses the default total when the caller set no deadline', () => {
    for (const remaining of [undefined, Infinity]) {
      const b = splitBudget(remaining, policy);
      expect(b.defaulted).toBe(true);
      expect(b.totalMs).toBe(200);
      expect(b.recallMs + b.rankingMs + b.renderMs).toBeCloseTo(190, 9);
    }
  });

  it('falls back to the floors when time is short', () => {
    for (const remaining of [20, 0, -5]) {
      expect(splitBudget(remaining, policy)).toMatchObject({
        recallMs: 5,
        rankingMs: 5,
        renderMs: 5,
        belowFloor: true,
        totalMs: Math.max(0, remaining),
      });
    }
    expect(splitBudget(25, policy).belowFloor).toBe(false); // exactly the floors
  });

  it('never gives a stage less than the floor', () => {
    const skewed: BudgetPolicy = { ...policy, proportions: { recall: 1, ranking: 0, render: 0 } };
    for (let remaining = 25; remaining < 400; remaining += 7) {
      const b = splitBudget(remaining, skewed);
      for (const ms of [b.recallMs, b.rankingMs, b.renderMs]) expect(ms).toBeGreaterThanOrEqual(5 - 1e-9);
    }
  });

  it('has a usable default policy', () => {
    const b = splitBudget(85);
    expect(b.recallMs).toBeGreaterThan(b.rankingMs);
    expect(b.rankingMs).toBeGreaterThan(b.renderMs);
    expect(b.recallMs + b.rankingMs + b.renderMs).toBeCloseTo(85 - defaultBudgetPolicy.reserveMs, 9);
  });

  it('rejects proportions that cannot be split', () => {
    expect(() => splitBudget(100, { ...policy, proportions: { recall: 0, ranking: 0, render: 0 } })).toThrow(RangeError);
    expect(() => splitBudget(100, { ...policy, proportions: { recall: -1, ranking: 2, render: 1 } })).toThrow(RangeError);
  });
});
