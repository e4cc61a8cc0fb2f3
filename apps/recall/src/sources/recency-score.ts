/** Time constant of the recency score: an item one day old scores 1/e. */
export const RECENCY_TAU_MS = 24 * 60 * 60 * 1000;

/** exp(-age / tau), in (0, 1]; items from the future (clock skew) score 1. */
export function recencyScore(createdAtMs: number, nowMs: number, tauMs: number = RECENCY_TAU_MS): number {
  const ageMs = Math.max(0, nowMs - createdAtMs);
  return Math.exp(-ageMs / tauMs);
}
