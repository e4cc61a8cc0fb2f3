// Splits a run's calls into phases (outside every fault, during each fault, during any fault) and
// checks each phase against its SLO. Pure: the records and windows in, a pass/fail table out, so a
// recorded run can be judged again against another gate.
import { newLatencyHistogram, summarize, toMicros } from '../histograms.js';
import { OK, statusName } from '../status-codes.js';
import type { PhaseThresholds } from './fault-plan.js';

/** One call as the chaos run saw it; times in monotonic ms. */
export interface ChaosCall {
  /** When the call was due (open loop): latency is charged from here, so a stall is not hidden. */
  readonly startMs: number;
  readonly endMs: number;
  /** gRPC status code (0 = OK). */
  readonly code: number;
  /** An OK page served by a fallback. */
  readonly degraded: boolean;
}

/** When a fault was in effect, as measured: from its first action to the dependency being back, plus recovery time. */
export interface FaultWindow {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
}

export type PhaseCheckName = 'completed' | 'p50' | 'p99' | 'error-rate' | 'degraded-share';

export interface PhaseCheck {
  readonly name: PhaseCheckName;
  readonly limit: number;
  readonly actual: number;
  readonly passed: boolean;
}

export interface PhaseResult {
  /** "outside faults", "during faults", or "during <fault>". */
  readonly phase: string;
  readonly kind: 'outside' | 'during' | 'fault';
  readonly calls: number;
  readonly ok: number;
  readonly degraded: number;
  readonly errors: number;
  /** Failed calls by status name, most first. */
  readonly errorsByCode: Record<string, number>;
  /** Percentiles of OK answers (degraded included), from the intended start. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly errorRate: number;
  readonly degradedShare: number;
  readonly checks: readonly PhaseCheck[];
  readonly passed: boolean;
}

export interface PhaseVerdict {
  readonly passed: boolean;
  readonly phases: readonly PhaseResult[];
}

/** A call belongs to a fault when it was in flight at any moment of the fault's window. */
const overlaps = (call: ChaosCall, window: FaultWindow): boolean => call.startMs < window.endMs && call.endMs > window.startMs;

/**
 * Outside faults: calls that overlap no window. Each fault: calls overlapping its window (a call
 * overlapping two is charged to the first). During faults: all of those together.
 */
export function evaluatePhases(
  calls: readonly ChaosCall[],
  windows: readonly FaultWindow[],
  slo: { readonly outside: PhaseThresholds; readonly during: PhaseThresholds },
): PhaseVerdict {
  const perFault: ChaosCall[][] = windows.map(() => []);
  const outside: ChaosCall[] = [];
  for (const call of calls) {
    const index = windows.findIndex((window) => overlaps(call, window));
    if (index < 0) outside.push(call);
    else perFault[index].push(call);
  }
  const phases = [
    phaseOf('outside faults', 'outside', outside, slo.outside),
    ...windows.map((window, i) => phaseOf(`during ${window.name}`, 'fault', perFault[i], slo.during)),
    phaseOf('during faults', 'during', perFault.flat(), slo.during),
  ];
  return { passed: phases.every((phase) => phase.passed), phases };
}

function phaseOf(phase: string, kind: PhaseResult['kind'], calls: readonly ChaosCall[], thresholds: PhaseThresholds): PhaseResult {
  const latency = newLatencyHistogram();
  const errorCounts = new Map<number, number>();
  let degraded = 0;
  for (const call of calls) {
    if (call.code === OK) {
      latency.recordValue(toMicros(call.endMs - call.startMs));
      if (call.degraded) degraded++;
    } else {
      errorCounts.set(call.code, (errorCounts.get(call.code) ?? 0) + 1);
    }
  }
  const summary = summarize(latency);
  const ok = summary.count;
  const errors = calls.length - ok;
  const errorRate = calls.length === 0 ? 0 : errors / calls.length;
  const degradedShare = calls.length === 0 ? 0 : degraded / calls.length;
  const checks: PhaseCheck[] = [
    // Without a single answer the percentiles are 0 and would pass any latency gate.
    { name: 'completed', limit: 1, actual: ok, passed: ok >= 1 },
  ];
  const atMost = (name: PhaseCheckName, limit: number | undefined, actual: number): void => {
    if (limit !== undefined) checks.push({ name, limit, actual, passed: actual <= limit });
  };
  atMost('p50', thresholds.maxP50Ms, summary.p50);
  atMost('p99', thresholds.maxP99Ms, summary.p99);
  atMost('error-rate', thresholds.maxErrorRate, errorRate);
  atMost('degraded-share', thresholds.maxDegradedShare, degradedShare);
  const errorsByCode = Object.fromEntries([...errorCounts].sort((a, b) => b[1] - a[1]).map(([code, count]) => [statusName(code), count]));
  return {
    phase,
    kind,
    calls: calls.length,
    ok,
    degraded,
    errors,
    errorsByCode,
    p50Ms: summary.p50,
    p99Ms: summary.p99,
    maxMs: summary.max,
    errorRate,
    degradedShare,
    checks,
    passed: checks.every((check) => check.passed),
  };
}

/** The pass/fail table, one row per phase, each missed gate named under it. */
export function formatPhaseTable(verdict: PhaseVerdict): string {
  const header = ['phase', 'calls', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'degraded', 'gate', 'result'];
  const rows = verdict.phases.map((p) => [
    p.phase,
    String(p.calls),
    p.p50Ms.toFixed(1),
    p.p99Ms.toFixed(1),
    p.maxMs.toFixed(1),
    percent(p.errorRate),
    percent(p.degradedShare),
    p.checks.filter((c) => c.name !== 'completed').map(describeLimit).join(', '),
    p.passed ? 'PASS' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: readonly string[]): string => cells.map((cell, i) => (i === 0 || i === 7 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ').trimEnd();
  const out = [line(header), ...rows.map(line)];
  for (const p of verdict.phases) {
    for (const c of p.checks.filter((check) => !check.passed)) out.push(`  ${p.phase}: ${describeMiss(c)}`);
    if (p.errors > 0) out.push(`  ${p.phase}: errors ${JSON.stringify(p.errorsByCode)}`);
  }
  out.push(verdict.passed ? 'chaos gate: PASS' : 'chaos gate: FAIL');
  return out.join('\n') + '\n';
}

function describeLimit(check: PhaseCheck): string {
  switch (check.name) {
    case 'error-rate':
      return `errors≤${percent(check.limit)}`;
    case 'degraded-share':
      return `degraded≤${percent(check.limit)}`;
    default:
      return `${check.name}≤${check.limit}ms`;
  }
}

function describeMiss(check: PhaseCheck): string {
  switch (check.name) {
    case 'completed':
      return 'missed: no call succeeded';
    case 'error-rate':
      return `missed: error rate ${percent(check.actual)} > ${percent(check.limit)}`;
    case 'degraded-share':
      return `missed: degraded share ${percent(check.actual)} > ${percent(check.limit)}`;
    default:
      return `missed: ${check.name} ${check.actual} ms > ${check.limit} ms`;
  }
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}
