// Splits what is left of a request's deadline into per-stage budgets, so that a slow recall
// cannot eat the time ranking and render need, and every downstream call carries its own
// timeout. Pure: the caller passes the remaining time (Connect's `ctx.timeoutMs()`).

export interface StageBudgets {
  /** Total the split started from (the caller's remaining time, or the default). */
  totalMs: number;
  recallMs: number;
  rankingMs: number;
  renderMs: number;
  /** True when the caller set no deadline and `defaultTotalMs` was used. */
  defaulted: boolean;
  /** True when the time left could not give every stage its floor (expect timeouts). */
  belowFloor: boolean;
}

export interface BudgetPolicy {
  /** Used when the caller set no deadline. */
  defaultTotalMs: number;
  /** Kept back for the aggregator's own work (merging, paging, serialisation). */
  reserveMs: number;
  /** Minimum per stage; below it a stage cannot do anything useful. */
  floorMs: number;
  /** Relative share of each stage in what remains after reserve and floors. */
  proportions: { recall: number; ranking: number; render: number };
}

export const defaultBudgetPolicy: BudgetPolicy = Object.freeze({
  defaultTotalMs: 250,
  reserveMs: 5,
  floorMs: 5,
  // Recall fans out to several sources and Postgres/Redis; ranking is CPU-bound; render is
  // mostly cache lookups.
  proportions: Object.freeze({ recall: 0.45, ranking: 0.35, render: 0.2 }),
});

/**
 * Each stage gets `floorMs` plus its proportional share of the rest, so the three budgets
 * add up to `total - reserve` exactly. When even the floors do not fit, every stage gets
 * the floor and `belowFloor` is set; the caller decides whether to try anyway.
 */
export function splitBudget(remainingMs: number | undefined, policy: BudgetPolicy = defaultBudgetPolicy): StageBudgets {
  const { recall, ranking, render } = policy.proportions;
  const shares = recall + ranking + render;
  if (![recall, ranking, render].every((p) => Number.isFinite(p) && p >= 0) || !(shares > 0)) {
    throw new RangeError('splitBudget: proportions must be finite, >= 0 and not all 0');
  }
  const defaulted = remainingMs === undefined || !Number.isFinite(remainingMs);
  const totalMs = defaulted ? policy.defaultTotalMs : Math.max(0, remainingMs);
  const spendable = Math.max(0, totalMs - policy.reserveMs);
  const flexible = spendable - 3 * policy.floorMs;
  if (flexible < 0) {
    const f = policy.floorMs;
    return { totalMs, recallMs: f, rankingMs: f, renderMs: f, defaulted, belowFloor: true };
  }
  const recallMs = policy.floorMs + (flexible * recall) / shares;
  const rankingMs = policy.floorMs + (flexible * ranking) / shares;
  // Render takes the remainder so the sum is exact despite floating-point rounding.
  const renderMs = spendable - recallMs - rankingMs;
  return { totalMs, recallMs, rankingMs, renderMs, defaulted, belowFloor: false };
}
