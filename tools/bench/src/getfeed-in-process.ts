/**
 * GetFeed in one process (BENCHMARKS.md §5): the aggregator, recall, ranking and render
 * implementations wired together by direct calls (in-process-feed.ts), on the benchmark data
 * set, driven closed-loop at the mesh benchmark's concurrencies with the same random users.
 * CPU per request here is the pipeline's own work (plus Postgres/Redis client work); the mesh
 * benchmark's per-process CPU summed, divided by this, is what the mesh itself costs.
 *
 *   npm run bench -- getfeed-in-process [--concurrency 1,16,64] [--duration 15s] [--warmup 3s]
 *     [--timeout-ms 1000] [--mesh-json getfeed-mesh.json]
 *
 * Tracing is on as in the apps: each call runs under a remote parent span context, 1 % sampled,
 * as the load generator's traceparent does for the mesh.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { create } from '@bufbuild/protobuf';
import { ConnectError, createHandlerContext } from '@connectrpc/connect';
import { FeedService, GetFeedRequestSchema, type GetFeedResponse } from '@feedmesh/contracts';
import { grpcCodeName } from '@feedmesh/service-kit';
import { startTelemetry } from '@feedmesh/telemetry';
import { ROOT_CONTEXT, context, trace, TraceFlags } from '@opentelemetry/api';
import { loadAverage, parseDurationMs, parseNumberList, runAsProcess } from './bench-flags.js';
import { createLatencyHistogram, summarizeLatency, type LatencyMs } from './latency-histogram.js';
import { ownCpuUs } from './proc-cpu.js';

export interface GetFeedInProcessOptions {
  concurrencies?: number[];
  warmupMs?: number;
  durationMs?: number;
  /** Deadline of each GetFeed call, as the loadgen sets it for the mesh (the budgets split it). */
  timeoutMs?: number;
  pageSize?: number;
  users?: number;
  traceSample?: number;
}

export interface InProcessPhase {
  concurrency: number;
  durationS: number;
  completed: number;
  ok: number;
  errorsByCode: Record<string, number>;
  /** Share of successful pages flagged degraded. */
  degradedFraction: number;
  throughputRps: number;
  /** Successful calls per second. */
  goodputRps: number;
  latencyMs: LatencyMs;
  cpuUsPerRequest: number;
}

export interface GetFeedInProcessResult {
  benchmark: 'getfeed-in-process';
  loadAverageBefore: string;
  loadAverageAfter: string;
  phases: InProcessPhase[];
}

export async function runGetFeedInProcess(options: GetFeedInProcessOptions = {}): Promise<GetFeedInProcessResult> {
  // Before pg, ioredis and the apps' modules load, as each app's main.ts does.
  startTelemetry({ serviceName: 'feed-in-process' });
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_USERS, checkBenchData } = require('./bench-database.js') as typeof import('./bench-database.js');
  const { createInProcessFeed } = require('./in-process-feed.js') as typeof import('./in-process-feed.js');
  /* eslint-enable @typescript-eslint/no-require-imports */
  await checkBenchData();
  const users = options.users ?? BENCH_USERS;
  const feed = await createInProcessFeed({ databaseUrl: BENCH_DATABASE_URL, redisUrl: BENCH_REDIS_URL });
  const loadAverageBefore = loadAverage();
  try {
    const phases: InProcessPhase[] = [];
    for (const concurrency of options.concurrencies ?? [1, 16, 64]) {
      const phase = await runPhase(feed.getFeed, {
        concurrency,
        warmupMs: options.warmupMs ?? 3_000,
        durationMs: options.durationMs ?? 15_000,
        timeoutMs: options.timeoutMs ?? 1_000,
        pageSize: options.pageSize ?? 20,
        users,
        traceSample: options.traceSample ?? 0.01,
      });
      console.error(`in-process c=${concurrency}: ${phase.throughputRps} rps, p50 ${phase.latencyMs.p50} ms, p99 ${phase.latencyMs.p99} ms, ${phase.cpuUsPerRequest} µs CPU/request`);
      phases.push(phase);
    }
    return { benchmark: 'getfeed-in-process', loadAverageBefore, loadAverageAfter: loadAverage(), phases };
  } finally {
    await feed.close();
  }
}

type GetFeed = (request: ReturnType<typeof create<typeof GetFeedRequestSchema>>, ctx: ReturnType<typeof createHandlerContext>) => unknown;

interface PhaseSettings {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  timeoutMs: number;
  pageSize: number;
  users: number;
  traceSample: number;
}

async function runPhase(getFeed: GetFeed, settings: PhaseSettings): Promise<InProcessPhase> {
  const histogram = createLatencyHistogram();
  const errorsByCode: Record<string, number> = {};
  let ok = 0;
  let degraded = 0;
  let recording = false;
  let stopAt = performance.now() + settings.warmupMs;
  const method = FeedService.method.getFeed;
  const callFinished = new Error('call finished');

  const callOnce = async () => {
    const request = create(GetFeedRequestSchema, { userId: `u${1 + Math.floor(Math.random() * settings.users)}`, pageSize: settings.pageSize });
    const ctx = createHandlerContext({
      service: FeedService,
      method,
      protocolName: 'in-process',
      requestMethod: 'POST',
      url: `/${FeedService.typeName}/${method.name}`,
      timeoutMs: settings.timeoutMs,
    });
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: randomBytes(16).toString('hex'),
      spanId: randomBytes(8).toString('hex'),
      traceFlags: Math.random() < settings.traceSample ? TraceFlags.SAMPLED : TraceFlags.NONE,
      isRemote: true,
    });
    const started = performance.now();
    try {
      const response = (await context.with(parent, async () => getFeed(request, ctx))) as Pick<GetFeedResponse, 'degraded'>;
      if (!recording) return;
      ok++;
      if (response.degraded) degraded++;
      histogram.recordValue(Math.max(1, Math.round((performance.now() - started) * 1000)));
    } catch (error) {
      if (!recording) return;
      const code = grpcCodeName(ConnectError.from(error).code);
      errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
    } finally {
      ctx.abort(callFinished);
    }
  };
  const loop = async () => {
    while (performance.now() < stopAt) await callOnce();
  };

  // Warm-up, then the measured window: the workers are restarted so no warm-up call is counted.
  await Promise.all(Array.from({ length: settings.concurrency }, loop));
  recording = true;
  const cpuBefore = ownCpuUs();
  const began = performance.now();
  stopAt = began + settings.durationMs;
  await Promise.all(Array.from({ length: settings.concurrency }, loop));
  const seconds = (performance.now() - began) / 1000;
  const cpuUs = ownCpuUs() - cpuBefore;
  const completed = ok + Object.values(errorsByCode).reduce((a, b) => a + b, 0);
  return {
    concurrency: settings.concurrency,
    durationS: Math.round(seconds * 100) / 100,
    completed,
    ok,
    errorsByCode,
    degradedFraction: ok === 0 ? 0 : Math.round((degraded / ok) * 10_000) / 10_000,
    throughputRps: Math.round((completed / seconds) * 10) / 10,
    goodputRps: Math.round((ok / seconds) * 10) / 10,
    latencyMs: summarizeLatency(histogram),
    cpuUsPerRequest: completed === 0 ? 0 : Math.round(cpuUs / completed),
  };
}

/** Mesh CPU per request (all app processes) ÷ in-process CPU per request, per matching concurrency. */
export function meshCostRatios(inProcess: GetFeedInProcessResult, mesh: { phases: { name: string; concurrency: number | null; appCpuUsPerRequest: number }[] }) {
  return inProcess.phases.flatMap((phase) => {
    const twin = mesh.phases.find((m) => m.concurrency === phase.concurrency);
    if (twin === undefined || phase.cpuUsPerRequest === 0) return [];
    return [{ concurrency: phase.concurrency, meshUs: twin.appCpuUsPerRequest, inProcessUs: phase.cpuUsPerRequest, ratio: Math.round((twin.appCpuUsPerRequest / phase.cpuUsPerRequest) * 100) / 100 }];
  });
}

export function formatInProcess(result: GetFeedInProcessResult): string {
  const lines = [
    `GetFeed in one process (load average ${result.loadAverageBefore} → ${result.loadAverageAfter})`,
    'conc  rps      ok/s     p50 ms   p90 ms   p99 ms   p99.9 ms  errors  degraded  CPU µs/req',
  ];
  for (const p of result.phases) {
    const errors = Object.entries(p.errorsByCode).map(([code, n]) => `${code} ${n}`).join(' ') || '0';
    lines.push(
      `${String(p.concurrency).padEnd(5)} ${String(p.throughputRps).padEnd(8)} ${String(p.goodputRps).padEnd(8)} ${String(p.latencyMs.p50).padEnd(8)} ${String(p.latencyMs.p90).padEnd(8)} ` +
        `${String(p.latencyMs.p99).padEnd(8)} ${String(p.latencyMs.p999).padEnd(9)} ${String(errors).padEnd(7)} ${(p.degradedFraction * 100).toFixed(1).padStart(7)}%  ${p.cpuUsPerRequest}`,
    );
  }
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      concurrency: { type: 'string', default: '1,16,64' },
      duration: { type: 'string', default: '15s' },
      warmup: { type: 'string', default: '3s' },
      'timeout-ms': { type: 'string', default: '1000' },
      'mesh-json': { type: 'string' },
    },
  });
  const result = await runGetFeedInProcess({
    concurrencies: parseNumberList(values.concurrency),
    durationMs: parseDurationMs(values.duration),
    warmupMs: parseDurationMs(values.warmup),
    timeoutMs: Number(values['timeout-ms']),
  });
  console.log(formatInProcess(result));
  const ratios = values['mesh-json'] === undefined ? undefined : meshCostRatios(result, JSON.parse(readFileSync(values['mesh-json'], 'utf8')));
  for (const r of ratios ?? []) console.log(`c=${r.concurrency}: mesh ${r.meshUs} µs ÷ in-process ${r.inProcessUs} µs CPU/request = ${r.ratio}×`);
  console.log(JSON.stringify({ ...result, ...(ratios ? { meshCostRatios: ratios } : {}) }));
  return 0;
}

if (require.main === module) runAsProcess(main);
