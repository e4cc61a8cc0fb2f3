export interface BackoffOptions {
  /** The ceiling of the first retry's delay. */
  baseMs: number;
  /** The ceiling never grows past this. */
  capMs: number;
  /** Uniform in [0, 1); Math.random unless set (tests inject their own). */
  random?: () => number;
}

export const REPLAY_BACKOFF: BackoffOptions = { baseMs: 100, capMs: 10_000 };

/**
 * Exponential backoff with full jitter: before retry `attempt` (0 = the first retry) wait a
 * uniform random time in [0, min(cap, base · 2^attempt)). Full jitter spreads the retries of
 * many ingest instances that lost the same Postgres at the same moment, so its return is not met
 * by all of them at once. The spool's replay and the engagement rollup both retry this way.
 */
export function backoffDelayMs(attempt: number, options: BackoffOptions = REPLAY_BACKOFF): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor((options.random ?? Math.random)() * ceiling);
}
