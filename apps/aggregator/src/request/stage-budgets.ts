import { defaultBudgetPolicy, splitBudget, type StageBudgets } from '@feedmesh/feed-core';

/**
 * Per-stage budgets from the caller's remaining time. The kit caps calls without a deadline at
 * MAX_DEADLINE_MS (gRPC) or leaves them without one (Connect); both mean "no deadline set", and
 * spending 45 % of 30 s on recall would defeat the point, so they get the default total instead.
 */
export function stageBudgets(remainingMs: number | undefined, maxDeadlineMs: number, defaultTotalMs: number): StageBudgets {
  // The margin absorbs the time between the kit computing the deadline and this call.
  const callerSetDeadline = remainingMs !== undefined && remainingMs < maxDeadlineMs - 1_000;
  return splitBudget(callerSetDeadline ? remainingMs : undefined, { ...defaultBudgetPolicy, defaultTotalMs });
}

/**
 * Render is the last downstream stage, so what recall and ranking left of their budgets (a
 * ranking that failed at once, an open circuit) is render's too, on top of its own share: time
 * saved by a fast failure must not be lost to the one stage a page cannot do without.
 */
export function withUnusedTimeForRender(budgets: StageBudgets, elapsedMs: number): StageBudgets {
  const unusedMs = budgets.recallMs + budgets.rankingMs - elapsedMs;
  return unusedMs > 0 ? { ...budgets, renderMs: budgets.renderMs + unusedMs } : budgets;
}
