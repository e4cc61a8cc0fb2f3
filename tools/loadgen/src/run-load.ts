// Wires one run together: method → body → transport, a scheduler driving call slots, and the
// recorder; returns the report (with SLO verdict when thresholds are given).
import { status } from '@grpc/grpc-js';
import { compileBody } from './body-template.js';
import { CallSlot } from './call-slot.js';
import { monotonicClock, nodeTimers } from './clock.js';
import { parseVariable } from './generators.js';
import { summarize } from './histograms.js';
import type { LoadOptions } from './load-options.js';
import { resolveMethod, UsageError } from './method-resolver.js';
import { Recorder } from './recorder.js';
import { reportSlowCalls, type Report } from './report.js';
import { ClosedLoopScheduler } from './schedulers/closed-loop.js';
import { OpenLoopScheduler } from './schedulers/open-loop.js';
import type { RunWindow, Scheduler } from './schedulers/scheduler.js';
import { evaluateSlo, hasThresholds } from './slo.js';
import { statusName } from './status-codes.js';
import { TraceparentSource } from './traceparent.js';
import { ConnectTransport } from './transports/connect-transport.js';
import { GrpcTransport } from './transports/grpc-transport.js';
import type { Transport } from './transports/transport.js';

const DEFAULT_DURATION_MS = 10_000;

export async function runLoad(options: LoadOptions): Promise<Report> {
  const protocol = options.protocol ?? 'grpc';
  const openLoop = options.rate !== undefined;
  const concurrency = options.concurrency ?? 16;
  const maxInflight = options.maxInflight ?? 1000;
  const warmupMs = options.warmupMs ?? 0;
  const durationMs = options.durationMs ?? (options.requests !== undefined ? Infinity : DEFAULT_DURATION_MS);
  const timeoutMs = options.timeoutMs ?? 5000;
  validate(options, { concurrency, maxInflight, warmupMs, durationMs, timeoutMs });

  const { method, path } = resolveMethod(options.method);
  const body = compileBody(method.input, options.body, (options.variables ?? []).map((v) => parseVariable(v)));
  const traces = new TraceparentSource(options.traceSample ?? 0.01);
  const transportOptions = {
    target: options.target,
    path,
    method,
    connections: options.connections,
    timeoutMs,
    metadata: options.metadata ?? [],
    decodeResponses: options.decodeResponses ?? true,
    constantBody: body.constant,
  };
  const transport: Transport = protocol === 'connect' ? new ConnectTransport(transportOptions) : new GrpcTransport(transportOptions);

  const clock = monotonicClock;
  const recorder = new Recorder();
  const startMs = clock.now();
  const window: RunWindow = {
    startMs,
    measureStartMs: startMs + warmupMs,
    endMs: startMs + warmupMs + durationMs,
    maxMeasuredRequests: options.requests ?? Infinity,
  };
  const onFinish = (slot: CallSlot, code: number): void => {
    if (slot.intendedStartMs >= window.measureStartMs) recorder.record(clock.now() - slot.intendedStartMs, code, slot);
    scheduler.release(slot);
  };
  const createSlot = (id: number): CallSlot => new CallSlot(id, onFinish);
  const dispatch = (slot: CallSlot, intendedStartMs: number): void => {
    slot.intendedStartMs = intendedStartMs;
    traces.next(slot);
    try {
      transport.send(slot, body.next());
    } catch {
      // e.g. a generated value the message cannot encode; finish asynchronously to keep the stack flat.
      setImmediate(slot.finish, status.INTERNAL);
    }
  };
  const scheduler: Scheduler = openLoop
    ? new OpenLoopScheduler({ rate: options.rate!, maxInflight, window, clock, timers: nodeTimers, dispatch, createSlot })
    : new ClosedLoopScheduler({ concurrency, window, clock, dispatch, createSlot });

  // CPU is sampled from the end of warmup, so warmup JIT work does not count against the tool.
  let cpuAtMeasureStart = process.cpuUsage();
  const warmupTimer = warmupMs > 0 ? setTimeout(() => (cpuAtMeasureStart = process.cpuUsage()), warmupMs) : undefined;
  let lastTick = startMs;
  const progressTimer = setInterval(() => {
    const now = clock.now();
    const interval = recorder.flushInterval();
    options.onProgress?.({
      elapsedS: (now - startMs) / 1000,
      warmup: lastTick < window.measureStartMs,
      rps: ((interval.ok + interval.errors) * 1000) / (now - lastTick),
      errors: interval.errors,
      p50Ms: interval.p50Ms,
      p99Ms: interval.p99Ms,
      inflight: scheduler.inflight,
    });
    lastTick = now;
  }, 1000);
  const onAbort = (): void => scheduler.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });

  const startedAt = new Date().toISOString();
  try {
    await scheduler.run();
  } finally {
    clearInterval(progressTimer);
    clearTimeout(warmupTimer);
    options.signal?.removeEventListener('abort', onAbort);
    transport.close();
  }
  const cpu = process.cpuUsage(cpuAtMeasureStart);
  const finishedMs = clock.now();
  recorder.flushInterval();

  const stats = scheduler.stats();
  const completed = recorder.ok + recorder.errors;
  const measuredMs = Math.max(0, finishedMs - window.measureStartMs);
  const latencyMs = summarize(recorder.okLatency);
  const attempted = completed + stats.dropped;
  const errorRate = attempted === 0 ? 0 : (recorder.errors + stats.dropped) / attempted;
  const errorsByCode: Record<string, number> = {};
  for (const [code, count] of [...recorder.errorsByCode()].sort((a, b) => b[1] - a[1])) errorsByCode[statusName(code)] = count;
  const thresholds = options.slo ?? {};

  return {
    tool: 'feedmesh-loadgen',
    target: options.target,
    method: path.slice(1),
    protocol,
    mode: openLoop ? 'open-loop' : 'closed-loop',
    concurrency: openLoop ? null : concurrency,
    rate: openLoop ? options.rate! : null,
    maxInflight: openLoop ? maxInflight : null,
    connections: options.connections ?? null,
    startedAt,
    warmupS: warmupMs / 1000,
    durationS: measuredMs / 1000,
    requests: {
      sent: stats.sent,
      completed,
      ok: recorder.ok,
      errors: recorder.errors,
      dropped: stats.dropped,
      late: stats.late,
      delayedByInflightCap: stats.delayedByInflightCap,
    },
    throughputRps: measuredMs === 0 ? 0 : (completed * 1000) / measuredMs,
    latencyMs,
    errorLatencyMs: summarize(recorder.errorLatency),
    errorRate,
    errorsByCode,
    clientCpu: {
      userMs: cpu.user / 1000,
      systemMs: cpu.system / 1000,
      usPerRequest: completed === 0 ? 0 : (cpu.user + cpu.system) / completed,
    },
    slowest: reportSlowCalls(recorder.slowest.list()),
    slowestSampled: reportSlowCalls(recorder.slowestSampled.list()),
    slo: hasThresholds(thresholds)
      ? evaluateSlo({ ok: recorder.ok, p50Ms: latencyMs.p50, p99Ms: latencyMs.p99, errorRate }, thresholds)
      : null,
  };
}

function validate(
  options: LoadOptions,
  resolved: { concurrency: number; maxInflight: number; warmupMs: number; durationMs: number; timeoutMs: number },
): void {
  const positiveInteger = (name: string, value: number | undefined): void => {
    if (value !== undefined && !(Number.isInteger(value) && value >= 1)) throw new UsageError(`${name} must be a positive integer, got ${value}`);
  };
  positiveInteger('--concurrency', resolved.concurrency);
  positiveInteger('--max-inflight', resolved.maxInflight);
  positiveInteger('--requests', options.requests);
  positiveInteger('--connections', options.connections);
  if (options.rate !== undefined && !(options.rate > 0 && Number.isFinite(options.rate))) throw new UsageError(`--rate must be > 0, got ${options.rate}`);
  if (!(resolved.warmupMs >= 0)) throw new UsageError('--warmup must be >= 0');
  if (!(resolved.durationMs > 0)) throw new UsageError('--duration must be > 0');
  if (!(resolved.timeoutMs > 0)) throw new UsageError('--timeout-ms must be > 0');
  const sample = options.traceSample;
  if (sample !== undefined && !(sample >= 0 && sample <= 1)) throw new UsageError(`--trace-sample must be within [0, 1], got ${sample}`);
  if (options.protocol !== undefined && options.protocol !== 'grpc' && options.protocol !== 'connect') {
    throw new UsageError(`--protocol must be grpc or connect, got ${String(options.protocol)}`);
  }
}
