// Result groups (a run, a stage, a journey step) and the per-second timeline that both modes
// report: counts, errors by code and HDR percentiles, in the JSON report's shape.
import { newLatencyHistogram, summarize, toMicros, type Histogram, type LatencySummaryMs } from './histograms.js';
import { SlowestCalls, type SlowCall } from './recorder.js';
import { reportSlowCalls, type ReportedSlowCall } from './report.js';
import { OK, statusName } from './status-codes.js';
import type { TraceContext } from './traceparent.js';

export interface GroupResult {
  readonly ok: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  /** Successful calls only, as the run's `latencyMs`. */
  readonly latencyMs: LatencySummaryMs;
}

export interface StageResult extends GroupResult {
  readonly stage: string;
  readonly startS: number;
  readonly durationS: number;
  /** Journeys per second or virtual users at the stage's end. */
  readonly target: number;
  readonly throughputRps: number;
}

export interface StepResult extends GroupResult {
  readonly journey: string;
  readonly step: string;
  readonly method: string;
  readonly slowest: readonly ReportedSlowCall[];
}

/** One second of the run. `t` is seconds since the measured window opened, at the interval's end. */
export interface TimelinePoint {
  readonly t: number;
  readonly ok: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** A point of the HDR percentile plot: `percentile` of successful calls took at most `ms`. */
export interface DistributionPoint {
  readonly percentile: number;
  readonly ms: number;
}

/** Counts and histograms of one group of calls. */
export class ResultGroup {
  readonly okLatency = newLatencyHistogram();
  readonly slowest = new SlowestCalls(10);
  private readonly codes = new Map<number, number>();
  ok = 0;
  errors = 0;

  record(latencyMs: number, code: number, trace: TraceContext): void {
    if (code === OK) {
      this.ok++;
      this.okLatency.recordValue(toMicros(latencyMs));
    } else {
      this.errors++;
      this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    }
    this.slowest.offer(latencyMs, trace, code);
  }

  result(): GroupResult {
    const total = this.ok + this.errors;
    return { ok: this.ok, errors: this.errors, errorRate: total === 0 ? 0 : this.errors / total, errorsByCode: codesByName(this.codes), latencyMs: summarize(this.okLatency) };
  }

  slowCalls(): readonly SlowCall[] {
    return this.slowest.list();
  }

  errorsByCode(): ReadonlyMap<number, number> {
    return this.codes;
  }
}

export function codesByName(codes: ReadonlyMap<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [code, count] of [...codes].sort((a, b) => b[1] - a[1])) out[statusName(code)] = count;
  return out;
}

export { reportSlowCalls };

/** The timeline point of one interval's counts and success histogram. */
export function timelinePoint(t: number, ok: number, errors: number, okLatency: Histogram): TimelinePoint {
  const empty = okLatency.totalCount === 0;
  const at = (percentile: number): number => (empty ? 0 : Math.min(okLatency.getValueAtPercentile(percentile), okLatency.maxValue) / 1000);
  return { t: Math.round(t * 1000) / 1000, ok, errors, p50Ms: at(50), p90Ms: at(90), p99Ms: at(99), maxMs: empty ? 0 : okLatency.maxValue / 1000 };
}

/**
 * The percentile plot's points: percentiles 0, 90, 99, 99.9, ... and ten steps between each,
 * evenly spaced on the usual 1 / (1 - p) axis, up to the largest value recorded.
 */
export function latencyDistribution(histogram: Histogram): DistributionPoint[] {
  if (histogram.totalCount === 0) return [];
  const points: DistributionPoint[] = [];
  const maxNines = Math.min(6, Math.max(1, Math.ceil(Math.log10(histogram.totalCount))));
  for (let step = 0; step <= maxNines * 10; step++) {
    const percentile = 100 * (1 - Math.pow(10, -step / 10));
    const micros = Math.min(histogram.getValueAtPercentile(percentile), histogram.maxValue);
    points.push({ percentile: Math.round(percentile * 10_000) / 10_000, ms: micros / 1000 });
  }
  points.push({ percentile: 100, ms: histogram.maxValue / 1000 });
  return points;
}
