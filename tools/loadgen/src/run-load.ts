// Wires one run together: options → plan (defaults, validation), one shard in this thread or one
// per worker thread (--workers), and the report (with SLO verdict when thresholds are given).
import { newLatencyHistogram, summarize, type Histogram } from './histograms.js';
import type { LoadOptions, ProgressSample } from './load-options.js';
import type { LoadedDescriptors } from './descriptors/descriptor-set.js';
import { loadDescriptors, resolveMethodIn } from './descriptors/load-descriptors.js';
import { UsageError } from './method-resolver.js';
import { reportSlowCalls, type Report } from './report.js';
import { latencyDistribution, timelinePoint, type TimelinePoint } from './results.js';
import { checkPlan, prepareShard, type PreparedShard, type Protocol, type ShardInterval, type ShardPlan } from './shard.js';
import type { ShardResult } from './shard-result.js';
import { evaluateSlo, hasThresholds } from './slo.js';
import { statusName } from './status-codes.js';
import { runWorkers } from './workers.js';

const DEFAULT_DURATION_MS = 10_000;

export async function runLoad(options: LoadOptions): Promise<Report> {
  const plan = planRun(options, await loadDescriptors(options));
  const workers = options.workers ?? 1;
  // With workers, the method and body are still checked here, so usage errors surface before any worker starts.
  const local: PreparedShard | undefined = workers > 1 ? (checkPlan(plan), undefined) : prepareShard(plan, options.onCall);
  const onAbort = (): void => control.stop();
  const control = { stop: (): void => local?.stop() };
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const startedAt = new Date().toISOString();
  // CPU is sampled from the end of warmup, so warmup JIT work does not count against the tool. It is
  // the whole process's CPU: with --workers, every worker thread's too.
  let cpuAtMeasureStart = process.cpuUsage();
  let warmupTimer: NodeJS.Timeout | undefined;
  const sampleCpuAt = (measureStartMs: number): void => {
    const delay = measureStartMs - performance.now();
    if (delay > 0) warmupTimer = setTimeout(() => (cpuAtMeasureStart = process.cpuUsage()), delay);
    else cpuAtMeasureStart = process.cpuUsage();
  };
  // Always merged: the per-second intervals are also the report's timeline.
  const timeline: TimelinePoint[] = [];
  const progress = new ProgressMerger(workers, options.onProgress, (point) => timeline.push(point));
  let result: ShardResult;
  let startMs: number;
  try {
    if (local === undefined) {
      const run = runWorkers(splitPlan(plan, workers), {
        onStart: (start) => {
          startMs = start;
          sampleCpuAt(start + plan.warmupMs);
          progress.start(start, plan.warmupMs);
        },
        onInterval: (worker, interval) => progress.add(worker, interval),
      });
      control.stop = run.stop;
      if (options.signal?.aborted) run.stop();
      result = await run.result;
    } else {
      startMs = performance.now();
      sampleCpuAt(startMs + plan.warmupMs);
      progress.start(startMs, plan.warmupMs);
      if (options.signal?.aborted) local.stop();
      result = await local.run(startMs, (interval) => progress.add(0, interval));
    }
  } finally {
    clearTimeout(warmupTimer);
    options.signal?.removeEventListener('abort', onAbort);
  }
  const cpu = process.cpuUsage(cpuAtMeasureStart);
  const measureStartEpochMs = performance.timeOrigin + startMs! + plan.warmupMs;
  const report = buildReport(plan, workers, options, result, cpu, startedAt, Math.max(0, result.finishedEpochMs - measureStartEpochMs));
  return { ...report, settings: settingsOf(plan, workers), timeline, latencyDistribution: latencyDistribution(result.okLatency) };
}

/** The run's settings as the HTML report shows them. */
function settingsOf(plan: ShardPlan, workers: number): Record<string, string | number | boolean | null> {
  return {
    target: plan.target,
    method: plan.method,
    protocol: plan.protocol,
    mode: plan.openLoop ? `open loop, ${plan.rate}/s, max in flight ${plan.maxInflight}` : `closed loop, concurrency ${plan.concurrency}`,
    body: plan.body ?? '{}',
    variables: plan.variables.join(' '),
    warmupS: plan.warmupMs / 1000,
    durationS: Number.isFinite(plan.durationMs) ? plan.durationMs / 1000 : null,
    requests: Number.isFinite(plan.requests) ? plan.requests : null,
    workers,
    timeoutMs: plan.timeoutMs,
    traceSample: plan.traceSample,
  };
}

/** Defaults applied and checked; the plan of a single-shard run. */
export function planRun(options: LoadOptions, descriptors?: LoadedDescriptors): ShardPlan {
  const protocol: Protocol = options.protocol ?? 'grpc';
  const openLoop = options.rate !== undefined;
  const plan: ShardPlan = {
    target: options.target,
    method: options.method,
    descriptors,
    protocol,
    body: options.body,
    variables: options.variables ?? [],
    openLoop,
    concurrency: options.concurrency ?? 16,
    rate: options.rate ?? 0,
    maxInflight: options.maxInflight ?? 1000,
    warmupMs: options.warmupMs ?? 0,
    durationMs: options.durationMs ?? (options.requests !== undefined ? Infinity : DEFAULT_DURATION_MS),
    requests: options.requests ?? Infinity,
    connections: options.connections,
    timeoutMs: options.timeoutMs ?? 5000,
    metadata: options.metadata ?? [],
    traceSample: options.traceSample ?? 0.01,
    decodeResponses: options.decodeResponses ?? true,
    phaseMs: 0,
  };
  validate(options, plan);
  return plan;
}

/**
 * Splits a run over `workers` shards: concurrency, rate, in-flight cap, request bound and channels
 * are divided (remainders to the first shards); open-loop shards are phase-shifted by one period
 * each, so together they keep the single-process schedule (call i at start + i / rate).
 */
export function splitPlan(plan: ShardPlan, workers: number): ShardPlan[] {
  const share = (total: number, index: number): number => Math.floor(total / workers) + (index < total % workers ? 1 : 0);
  return Array.from({ length: workers }, (_, index) => ({
    ...plan,
    concurrency: share(plan.concurrency, index),
    rate: plan.rate / workers,
    maxInflight: Math.max(1, Math.ceil(plan.maxInflight / workers)),
    requests: Number.isFinite(plan.requests) ? share(plan.requests, index) : Infinity,
    connections: plan.connections === undefined ? undefined : Math.max(1, share(plan.connections, index)),
    phaseMs: plan.openLoop ? (index * 1000) / plan.rate : 0,
  }));
}

function buildReport(
  plan: ShardPlan,
  workers: number,
  options: LoadOptions,
  result: ShardResult,
  cpu: NodeJS.CpuUsage,
  startedAt: string,
  measuredMs: number,
): Report {
  const { stats } = result;
  const completed = result.ok + result.errors;
  const latencyMs = summarize(result.okLatency);
  const attempted = completed + stats.dropped;
  const errorRate = attempted === 0 ? 0 : (result.errors + stats.dropped) / attempted;
  const errorsByCode: Record<string, number> = {};
  for (const [code, count] of [...result.errorsByCode].sort((a, b) => b[1] - a[1])) errorsByCode[statusName(code)] = count;
  const thresholds = options.slo ?? {};
  return {
    tool: 'feedmesh-loadgen',
    target: plan.target,
    method: resolveMethodIn(plan.method, plan.descriptors).path.slice(1),
    protocol: plan.protocol,
    mode: plan.openLoop ? 'open-loop' : 'closed-loop',
    concurrency: plan.openLoop ? null : plan.concurrency,
    rate: plan.openLoop ? plan.rate : null,
    maxInflight: plan.openLoop ? plan.maxInflight : null,
    connections: plan.connections ?? null,
    workers,
    startedAt,
    warmupS: plan.warmupMs / 1000,
    durationS: measuredMs / 1000,
    requests: {
      sent: stats.sent,
      completed,
      ok: result.ok,
      errors: result.errors,
      dropped: stats.dropped,
      late: stats.late,
      delayedByInflightCap: stats.delayedByInflightCap,
    },
    throughputRps: measuredMs === 0 ? 0 : (completed * 1000) / measuredMs,
    latencyMs,
    errorLatencyMs: summarize(result.errorLatency),
    errorRate,
    errorsByCode,
    clientCpu: {
      userMs: cpu.user / 1000,
      systemMs: cpu.system / 1000,
      usPerRequest: completed + result.warmupFinishedInWindow === 0 ? 0 : (cpu.user + cpu.system) / (completed + result.warmupFinishedInWindow),
      calls: completed + result.warmupFinishedInWindow,
    },
    slowest: reportSlowCalls(result.slowest),
    slowestSampled: reportSlowCalls(result.slowestSampled),
    slo: hasThresholds(thresholds)
      ? evaluateSlo({ ok: result.ok, p50Ms: latencyMs.p50, p99Ms: latencyMs.p99, errorRate }, thresholds)
      : null,
  };
}

/** Turns each shard's one-second intervals into one progress sample per second. */
class ProgressMerger {
  private startMs = 0;
  private warmupMs = 0;
  private lastMs = 0;
  private readonly pending = new Map<number, { count: number; ok: number; errors: number; inflight: number; nowMs: number; okLatency: Histogram }>();
  private readonly seen: number[];

  constructor(
    private readonly shards: number,
    private readonly onProgress: ((sample: ProgressSample) => void) | undefined,
    private readonly onTimeline: (point: TimelinePoint) => void,
  ) {
    this.seen = new Array<number>(shards).fill(0);
  }

  start(startMs: number, warmupMs: number): void {
    this.startMs = startMs;
    this.lastMs = startMs;
    this.warmupMs = warmupMs;
  }

  add(shard: number, interval: ShardInterval): void {
    const tick = this.seen[shard]++;
    let entry = this.pending.get(tick);
    if (entry === undefined) {
      entry = { count: 0, ok: 0, errors: 0, inflight: 0, nowMs: 0, okLatency: newLatencyHistogram() };
      this.pending.set(tick, entry);
    }
    entry.count++;
    entry.ok += interval.ok;
    entry.errors += interval.errors;
    entry.inflight += interval.inflight;
    entry.nowMs = Math.max(entry.nowMs, interval.nowMs);
    entry.okLatency.add(interval.okLatency);
    if (entry.count < this.shards) return;
    this.pending.delete(tick);
    const empty = entry.okLatency.totalCount === 0;
    const measureStartMs = this.startMs + this.warmupMs;
    if (entry.nowMs > measureStartMs) this.onTimeline(timelinePoint((entry.nowMs - measureStartMs) / 1000, entry.ok, entry.errors, entry.okLatency));
    this.onProgress?.({
      elapsedS: (entry.nowMs - this.startMs) / 1000,
      warmup: this.lastMs < this.startMs + this.warmupMs,
      rps: ((entry.ok + entry.errors) * 1000) / Math.max(1, entry.nowMs - this.lastMs),
      errors: entry.errors,
      p50Ms: empty ? 0 : entry.okLatency.getValueAtPercentile(50) / 1000,
      p99Ms: empty ? 0 : entry.okLatency.getValueAtPercentile(99) / 1000,
      inflight: entry.inflight,
    });
    this.lastMs = entry.nowMs;
  }
}

function validate(options: LoadOptions, plan: ShardPlan): void {
  const positiveInteger = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) throw new UsageError(`${name} must be a positive integer, got ${value}`);
  };
  positiveInteger('--concurrency', plan.concurrency);
  positiveInteger('--max-inflight', plan.maxInflight);
  positiveInteger('--requests', options.requests);
  positiveInteger('--connections', options.connections);
  positiveInteger('--workers', options.workers);
  const workers = options.workers ?? 1;
  if (workers > 1 && options.onCall !== undefined) throw new UsageError('onCall needs an in-process run (workers: 1): a callback cannot cross to a worker thread');
  if (workers > 1 && !plan.openLoop && plan.concurrency < workers) throw new UsageError(`--concurrency (${plan.concurrency}) must be >= --workers (${workers})`);
  if (workers > 1 && options.requests !== undefined && options.requests < workers) throw new UsageError(`--requests (${options.requests}) must be >= --workers (${workers})`);
  if (options.rate !== undefined && !(options.rate > 0 && Number.isFinite(options.rate))) throw new UsageError(`--rate must be > 0, got ${options.rate}`);
  if (!(plan.warmupMs >= 0)) throw new UsageError('--warmup must be >= 0');
  if (!(plan.durationMs > 0)) throw new UsageError('--duration must be > 0');
  if (!(plan.timeoutMs > 0)) throw new UsageError('--timeout-ms must be > 0');
  const sample = options.traceSample;
  if (sample !== undefined && !(sample >= 0 && sample <= 1)) throw new UsageError(`--trace-sample must be within [0, 1], got ${sample}`);
  if (options.protocol !== undefined && options.protocol !== 'grpc' && options.protocol !== 'grpc-js' && options.protocol !== 'connect') {
    throw new UsageError(`--protocol must be grpc, grpc-js or connect, got ${String(options.protocol)}`);
  }
}
