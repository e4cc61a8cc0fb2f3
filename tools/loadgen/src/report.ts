// The run's result: a JSON document for pipelines and a short table for people.
import type { SlowCall } from './recorder.js';
import type { LatencySummaryMs } from './histograms.js';
import type { DistributionPoint, StageResult, StepResult, TimelinePoint } from './results.js';
import type { SloResult } from './slo.js';
import { statusName } from './status-codes.js';

export interface ReportedSlowCall {
  readonly traceId: string;
  readonly latencyMs: number;
  readonly sampled: boolean;
  readonly code: string;
}

export interface Report {
  readonly tool: 'feedmesh-loadgen';
  readonly target: string;
  readonly method: string;
  readonly protocol: 'grpc' | 'grpc-js' | 'connect';
  readonly mode: 'closed-loop' | 'open-loop';
  readonly concurrency: number | null;
  readonly rate: number | null;
  readonly maxInflight: number | null;
  readonly connections: number | null;
  /** Worker threads the load was split over (1: none). */
  readonly workers: number;
  readonly startedAt: string;
  readonly warmupS: number;
  /** Measured wall time: from the end of warmup until the last measured call finished. */
  readonly durationS: number;
  readonly requests: {
    /** Measured calls sent. */
    readonly sent: number;
    readonly completed: number;
    readonly ok: number;
    readonly errors: number;
    readonly dropped: number;
    readonly late: number;
    readonly delayedByInflightCap: number;
  };
  /** Completed calls per second (ok + errors). */
  readonly throughputRps: number;
  /** Latency of successful calls; open loop: from the intended send time. */
  readonly latencyMs: LatencySummaryMs;
  readonly errorLatencyMs: LatencySummaryMs;
  /** (errors + dropped) / (completed + dropped). */
  readonly errorRate: number;
  readonly errorsByCode: Readonly<Record<string, number>>;
  /**
   * The tool's CPU over the measured window, every worker thread included; `usPerRequest` divides
   * it by `calls`: the completed calls plus warmup calls that finished inside the window.
   */
  readonly clientCpu: { readonly userMs: number; readonly systemMs: number; readonly usPerRequest: number; readonly calls: number };
  readonly slowest: readonly ReportedSlowCall[];
  readonly slowestSampled: readonly ReportedSlowCall[];
  readonly slo: SloResult | null;
  /** The run's settings (flags or scenario), shown in the HTML report. */
  readonly settings?: Readonly<Record<string, string | number | boolean | null>>;
  /** One point per second of the measured window (successful calls' percentiles). */
  readonly timeline?: readonly TimelinePoint[];
  /** The HDR percentile plot of successful calls over the whole measured window. */
  readonly latencyDistribution?: readonly DistributionPoint[];
  /** Scenario runs: per stage, per journey step, per journey. */
  readonly stages?: readonly StageResult[];
  readonly steps?: readonly StepResult[];
  readonly journeys?: readonly JourneyResult[];
}

export interface JourneyResult {
  readonly journey: string;
  readonly weight: number;
  readonly started: number;
  /** Every step ran and succeeded. */
  readonly completed: number;
  /** Stopped at a failed call (the following steps depend on its response). */
  readonly failed: number;
  /** Cut short because the run ended. */
  readonly cut: number;
}

export function reportSlowCalls(calls: readonly SlowCall[]): ReportedSlowCall[] {
  return calls.map((call) => ({
    traceId: call.traceId,
    latencyMs: Math.round(call.latencyMs * 1000) / 1000,
    sampled: call.sampled,
    code: statusName(call.code),
  }));
}

export function formatTable(report: Report): string {
  const lat = report.latencyMs;
  const load =
    (report.mode === 'closed-loop' ? `concurrency ${report.concurrency}` : `rate ${report.rate}/s (max in flight ${report.maxInflight})`) +
    (report.workers > 1 ? `, ${report.workers} workers` : '');
  const lines = [
    `${report.method} @ ${report.target} (${report.protocol}, ${report.mode}, ${load})`,
    `duration    ${report.durationS.toFixed(2)} s after ${report.warmupS} s warmup`,
    `requests    ${report.requests.completed} completed, ${report.requests.ok} ok, ${report.requests.errors} errors` +
      (report.mode === 'open-loop'
        ? `, ${report.requests.dropped} dropped, ${report.requests.late} late, ${report.requests.delayedByInflightCap} waited for a slot`
        : ''),
    `throughput  ${report.throughputRps.toFixed(1)} req/s`,
    `latency ms  p50 ${lat.p50}  p90 ${lat.p90}  p99 ${lat.p99}  p99.9 ${lat.p999}  max ${lat.max}  mean ${lat.mean}`,
    `error rate  ${(report.errorRate * 100).toFixed(2)}%` + formatCodes(report.errorsByCode),
    `client CPU  ${report.clientCpu.usPerRequest.toFixed(1)} µs/request`,
  ];
  if (report.slowest.length > 0) {
    lines.push('slowest     ' + report.slowest.slice(0, 3).map((c) => `${c.traceId} ${c.latencyMs} ms${c.sampled ? ' (sampled)' : ''}`).join(', '));
  }
  const group = (g: { ok: number; errors: number; latencyMs: LatencySummaryMs; errorsByCode: Readonly<Record<string, number>> }): string =>
    `${g.ok} ok, ${g.errors} errors${formatCodes(g.errorsByCode)}, p50 ${g.latencyMs.p50} p99 ${g.latencyMs.p99} max ${g.latencyMs.max} ms`;
  for (const stage of report.stages ?? []) lines.push(`stage       ${stage.stage.padEnd(12)} ${stage.throughputRps.toFixed(1)} calls/s, ${group(stage)}`);
  for (const step of report.steps ?? []) lines.push(`step        ${`${step.journey}/${step.step}`.padEnd(24)} ${group(step)}`);
  for (const journey of report.journeys ?? []) {
    lines.push(`journey     ${journey.journey.padEnd(12)} ${journey.started} started, ${journey.completed} completed, ${journey.failed} failed, ${journey.cut} cut by the end`);
  }
  if (report.slo !== null) {
    const checks = report.slo.checks.map((c) => `${c.name} ${c.passed ? 'ok' : 'MISSED'} (${c.actual} vs ${c.limit})`);
    lines.push(`SLO         ${report.slo.passed ? 'passed' : 'MISSED'}: ${checks.join(', ')}`);
  }
  return lines.join('\n') + '\n';
}

function formatCodes(codes: Readonly<Record<string, number>>): string {
  const entries = Object.entries(codes);
  return entries.length === 0 ? '' : ` (${entries.map(([name, count]) => `${name} ${count}`).join(', ')})`;
}
