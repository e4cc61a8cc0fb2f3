import type { CallRecord } from './call-record.js';

/** A page as users want it: answered, and not from a fallback. */
export const isHealthy = (r: CallRecord): boolean => r.code === 'OK' && !r.degraded;

/** Outcome label of a call: "OK", "OK degraded" or the error code name. */
export const outcomeOf = (r: CallRecord): string => (r.code === 'OK' && r.degraded ? 'OK degraded' : r.code);

/** How many calls ended each way, e.g. `{ OK: 120, 'OK degraded': 14, Unavailable: 3 }`. */
export function outcomeCounts(records: readonly CallRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[outcomeOf(r)] = (counts[outcomeOf(r)] ?? 0) + 1;
  return counts;
}

/** Calls sent in [fromMs, toMs). */
export function startedBetween(records: readonly CallRecord[], fromMs: number, toMs: number): CallRecord[] {
  return records.filter((r) => r.startMs >= fromMs && r.startMs < toMs);
}

/** Calls that had ended by `atMs`: a baseline before a fault, without the calls the fault caught in flight. */
export function endedBefore(records: readonly CallRecord[], atMs: number): CallRecord[] {
  return records.filter((r) => r.endMs <= atMs);
}

/** Calls sent before `atMs` that had not ended by then. */
export function inFlightAt(records: readonly CallRecord[], atMs: number): CallRecord[] {
  return records.filter((r) => r.startMs < atMs && r.endMs > atMs);
}

export interface Recovery {
  /** From `fromMs` to the first healthy call after the last unhealthy one; Infinity when the last call was unhealthy. */
  readonly recoveryMs: number;
  /** How long healthy calls were seen after recovery (from the recovering call's start to the last call's start). */
  readonly healthyForMs: number;
  /** The last unhealthy call sent at or after `fromMs`, to show in a failure message. */
  readonly lastUnhealthy: CallRecord | undefined;
  /** Unhealthy calls sent at or after `fromMs`. */
  readonly unhealthyAfter: number;
}

/**
 * When did the calls become healthy for good after `fromMs` (a dependency's readiness)? Only
 * calls sent at or after `fromMs` count; one bad call late in the window moves recovery past it.
 */
export function recoveryAfter(records: readonly CallRecord[], fromMs: number): Recovery {
  const after = records.filter((r) => r.startMs >= fromMs).sort((a, b) => a.startMs - b.startMs);
  let lastBadIndex = -1;
  let unhealthy = 0;
  after.forEach((r, i) => {
    if (!isHealthy(r)) {
      lastBadIndex = i;
      unhealthy++;
    }
  });
  const recovering = after[lastBadIndex + 1];
  const last = after[after.length - 1];
  if (!recovering || !last) return { recoveryMs: Infinity, healthyForMs: 0, lastUnhealthy: after[lastBadIndex], unhealthyAfter: unhealthy };
  return {
    recoveryMs: Math.max(0, recovering.startMs - fromMs),
    healthyForMs: last.startMs - recovering.startMs,
    lastUnhealthy: after[lastBadIndex],
    unhealthyAfter: unhealthy,
  };
}

/** Nearest-rank percentile (p in 0..100) of `values`; NaN when empty. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** A short description of calls for failure messages: counts, then a few distinct details. */
export function describeCalls(records: readonly CallRecord[], limit = 5): string {
  const details = [...new Set(records.filter((r) => r.code !== 'OK' || r.degraded).map((r) => `${outcomeOf(r)}: ${r.detail}`))].slice(0, limit);
  return `${JSON.stringify(outcomeCounts(records))}${details.length ? `; e.g. ${details.join(' | ')}` : ''}`;
}
