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
