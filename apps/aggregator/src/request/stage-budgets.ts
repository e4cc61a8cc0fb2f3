import { defaultBudgetPolicy, splitBudget, type StageBudgets } from '@feedmesh/feed-core';
import type { Deadline } from '@feedmesh/service-kit';

/**
 * Per-stage budgets from the caller's remaining time. A call whose caller set no deadline runs
 * to the kit's cap (MAX_DEADLINE_MS), and spending 45 % of 30 s on recall would defeat the
 * point, so it gets the default total instead.
 */
export function stageBudgets(deadline: Pick<Deadline, 'callerDeadline' | 'remaining'>, defaultTotalMs: number): StageBudgets {
  return splitBudget(deadline.callerDeadline === undefined ? undefined : deadline.remaining(), { ...defaultBudgetPolicy, defaultTotalMs });
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
