// Release gates: thresholds on the measured run. A missed gate makes the CLI exit 2.

export interface SloThresholds {
  readonly maxP99Ms?: number;
  readonly maxP50Ms?: number;
  /** Fraction of attempted calls (failed or dropped) allowed, e.g. 0.01. */
  readonly maxErrorRate?: number;
}

export interface SloCheck {
  readonly name: 'p99' | 'p50' | 'error-rate' | 'completed';
  readonly limit: number;
  readonly actual: number;
  readonly passed: boolean;
}

export interface SloResult {
  readonly passed: boolean;
  readonly checks: readonly SloCheck[];
}

/** What the gates look at; a subset of the report so gates can be tested on their own. */
export interface SloInput {
  readonly ok: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

export const EXIT_OK = 0;
export const EXIT_USAGE = 1;
export const EXIT_SLO_MISSED = 2;

export function hasThresholds(thresholds: SloThresholds): boolean {
  return thresholds.maxP99Ms !== undefined || thresholds.maxP50Ms !== undefined || thresholds.maxErrorRate !== undefined;
}

export function evaluateSlo(input: SloInput, thresholds: SloThresholds): SloResult {
  const checks: SloCheck[] = [];
  // Without a single successful call the percentiles are 0 and would pass any latency gate.
  if (hasThresholds(thresholds)) checks.push({ name: 'completed', limit: 1, actual: input.ok, passed: input.ok >= 1 });
  if (thresholds.maxP50Ms !== undefined) {
    checks.push({ name: 'p50', limit: thresholds.maxP50Ms, actual: input.p50Ms, passed: input.p50Ms <= thresholds.maxP50Ms });
  }
  if (thresholds.maxP99Ms !== undefined) {
    checks.push({ name: 'p99', limit: thresholds.maxP99Ms, actual: input.p99Ms, passed: input.p99Ms <= thresholds.maxP99Ms });
  }
  if (thresholds.maxErrorRate !== undefined) {
    checks.push({
      name: 'error-rate',
      limit: thresholds.maxErrorRate,
      actual: input.errorRate,
      passed: input.errorRate <= thresholds.maxErrorRate,
    });
  }
  return { passed: checks.every((check) => check.passed), checks };
}

export function exitCodeFor(result: SloResult): number {
  return result.passed ? EXIT_OK : EXIT_SLO_MISSED;
}

/** One line per missed gate, e.g. "SLO missed: p99 12.3 ms > 10 ms". */
export function describeMissed(result: SloResult): string[] {
  return result.checks
    .filter((check) => !check.passed)
    .map((check) => {
      switch (check.name) {
        case 'completed':
          return 'SLO missed: no call succeeded';
        case 'error-rate':
          return `SLO missed: error rate ${formatFraction(check.actual)} > ${formatFraction(check.limit)}`;
        default:
          return `SLO missed: ${check.name} ${check.actual} ms > ${check.limit} ms`;
      }
    });
}

function formatFraction(value: number): string {
  return `${(value * 100).toFixed(2)}%`;
}
