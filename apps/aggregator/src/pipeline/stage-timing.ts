/** Wall time of one stage and the budget it had (0 when the stage has no budget of its own). */
export interface StageTimingRecord {
  stage: string;
  durationMs: number;
  budgetMs: number;
}

/** Runs `fn`, recording its wall time into `timings` even when it throws. */
export async function timed<T>(timings: StageTimingRecord[], stage: string, budgetMs: number, fn: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    timings.push({ stage, durationMs: round(performance.now() - started), budgetMs: round(budgetMs) });
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
