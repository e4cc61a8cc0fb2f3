/**
 * GetFeed through the whole mesh (BENCHMARKS.md §4): the five apps spawned from their built
 * dist/main.js against the benchmark data set (`feedmesh_bench`, 100k users / 1M items), driven
 * by the load generator with random users u1..u100000. Phases: closed loop at concurrency 1, 16
 * and 64, then open loop at fixed rates (by default 50 %, 75 % and 90 % of the best closed-loop
 * throughput, so they sit around this machine's capacity). Per phase: throughput, latency
 * percentiles, errors by code, the share of degraded pages (side sampler), and CPU per request
 * of every app process (/proc/<pid>/stat) and of the load generator.
 *
 *   npm run bench -- getfeed-mesh [--phases c1,c16,c64,auto] [--duration 15s] [--warmup 3s]
 *     [--timeout-ms 1000] [--out getfeed-mesh.json] [--cpu-prof <dir>]
 * Phases: `c<N>` closed loop at N in flight, `r<R>` open loop at R requests/s, `auto` three rates
 * from the closed-loop phases run before it. `--cpu-prof <dir>` writes a V8 CPU profile of every
 * app to <dir>/<app>/*.cpuprofile (warm-up included); summarize them with
 * `npx node tools/bench/dist/cpu-profile-summary.js <dir>/<app>`.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runLoad, type Report } from '@feedmesh/loadgen';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_USERS, checkBenchData } from './bench-database.js';
import { loadAverage, parseDurationMs, runAsProcess } from './bench-flags.js';
import { startDegradedSampler } from './degraded-sampler.js';
import { MESH_APPS, startMesh, type MeshAppName, type RunningMesh } from './mesh-apps.js';
import { processCpuUs } from './proc-cpu.js';

export type MeshPhaseSpec = { kind: 'closed'; concurrency: number } | { kind: 'open'; rate: number } | { kind: 'auto' };

export interface GetFeedMeshOptions {
  phases?: MeshPhaseSpec[];
  warmupMs?: number;
  durationMs?: number;
  timeoutMs?: number;
  pageSize?: number;
  /** Interval of the degraded-page sampler's calls (default 250 ms, ≤ 4 calls/s). */
  sampleIntervalMs?: number;
  /** Shares of the best closed-loop throughput that `auto` turns into open-loop rates. */
  autoRateShares?: number[];
  /** Profile the apps (`node --cpu-prof`) into this directory. */
  cpuProfileDir?: string;
}

export interface MeshPhase {
  name: string;
  mode: Report['mode'];
  concurrency: number | null;
  rate: number | null;
  loadAverage: string;
  durationS: number;
  completed: number;
  ok: number;
  dropped: number;
  throughputRps: number;
  /** Successful calls per second. */
  goodputRps: number;
  latencyMs: Report['latencyMs'];
  errorsByCode: Report['errorsByCode'];
  errorRate: number;
  /** Share of the sampler's served pages flagged degraded; null when it got no page. */
  degradedFraction: number | null;
  degradedSamples: number;
  /** CPU per request of each app process (load generator + sampler calls in the denominator); null if it exited. */
  cpuUsPerRequest: Record<MeshAppName, number | null>;
  /** Summed over the app processes still running. */
  appCpuUsPerRequest: number;
  loadgenCpuUsPerRequest: number;
}

export interface GetFeedMeshResult {
  benchmark: 'getfeed-mesh';
  phases: MeshPhase[];
}

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function runGetFeedMesh(options: GetFeedMeshOptions = {}): Promise<GetFeedMeshResult> {
  await checkBenchData();
  const mesh = await startMesh({ DATABASE_URL: BENCH_DATABASE_URL, REDIS_URL: BENCH_REDIS_URL }, { cpuProfileDir: options.cpuProfileDir });
  try {
    const phases: MeshPhase[] = [];
    const specs = options.phases ?? [{ kind: 'closed', concurrency: 1 }, { kind: 'closed', concurrency: 16 }, { kind: 'closed', concurrency: 64 }, { kind: 'auto' }];
    for (const spec of specs) {
      const runs: MeshPhaseSpec[] =
        spec.kind === 'auto' ? autoRates(phases, options.autoRateShares ?? [0.5, 0.75, 0.9]).map((rate) => ({ kind: 'open', rate })) : [spec];
      for (const run of runs) {
        const phase = await runPhase(mesh, run as Exclude<MeshPhaseSpec, { kind: 'auto' }>, options);
        console.error(
          `${phase.name}: ${phase.throughputRps} rps, p50 ${phase.latencyMs.p50} ms, p99 ${phase.latencyMs.p99} ms, ` +
            `apps ${phase.appCpuUsPerRequest} µs CPU/request, errors ${phase.completed - phase.ok} (load average ${phase.loadAverage})`,
        );
        phases.push(phase);
      }
    }
    return { benchmark: 'getfeed-mesh', phases };
  } catch (error) {
    for (const name of MESH_APPS) {
      const lines = mesh.apps[name].logs.slice(-3);
      if (lines.length > 0) console.error(`[${name}] ${lines.join('\n')}`);
    }
    throw error;
  } finally {
    await mesh.stop();
  }
}

function autoRates(closed: readonly MeshPhase[], shares: readonly number[]): number[] {
  // Goodput, not throughput: past capacity the calls that time out fast would inflate it.
  const best = Math.max(0, ...closed.filter((p) => p.mode === 'closed-loop').map((p) => p.goodputRps));
  if (best === 0) throw new Error('`auto` rates need a closed-loop phase before them (e.g. --phases c16,auto)');
  // Rounded to 5 req/s so that runs on a similar day land on comparable rates.
  return shares.map((share) => Math.max(5, Math.round((best * share) / 5) * 5));
}

async function runPhase(mesh: RunningMesh, spec: Exclude<MeshPhaseSpec, { kind: 'auto' }>, options: GetFeedMeshOptions): Promise<MeshPhase> {
  const pageSize = options.pageSize ?? 20;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const load = {
    target: mesh.address,
    method: 'feedmesh.feed.v1.FeedService/GetFeed',
    body: JSON.stringify({ userId: '{{user}}', pageSize }),
    variables: [`user=range:u1..u${BENCH_USERS}`],
    timeoutMs,
    ...(spec.kind === 'closed' ? { concurrency: spec.concurrency } : { rate: spec.rate, maxInflight: 1000 }),
  };
  // Warm-up as a run of its own, so the CPU window below covers measured calls only.
  await runLoad({ ...load, durationMs: options.warmupMs ?? 3_000 });
  const pids = Object.fromEntries(MESH_APPS.map((name) => [name, mesh.apps[name].child.pid!])) as Record<MeshAppName, number>;
  const cpuBefore = Object.fromEntries(MESH_APPS.map((name) => [name, processCpuUs(pids[name])])) as Record<MeshAppName, number | undefined>;
  const sampler = startDegradedSampler({ address: mesh.address, intervalMs: options.sampleIntervalMs ?? 250, users: BENCH_USERS, pageSize, timeoutMs });
  const report = await runLoad({ ...load, durationMs: options.durationMs ?? 15_000 });
  const sample = await sampler.stop();
  const requests = report.requests.completed + sample.calls;
  const cpuUsPerRequest = Object.fromEntries(
    MESH_APPS.map((name) => {
      const before = cpuBefore[name];
      const after = processCpuUs(pids[name]);
      if (before === undefined || after === undefined) {
        console.error(`${name} exited (${mesh.apps[name].child.exitCode}); its last log lines:\n${mesh.apps[name].logs.slice(-5).join('\n')}`);
        return [name, null];
      }
      return [name, requests === 0 ? 0 : round((after - before) / requests)];
    }),
  ) as Record<MeshAppName, number | null>;
  return {
    name: spec.kind === 'closed' ? `closed c=${spec.concurrency}` : `open ${spec.rate}/s`,
    mode: report.mode,
    concurrency: report.concurrency,
    rate: report.rate,
    loadAverage: loadAverage(),
    durationS: report.durationS,
    completed: report.requests.completed,
    ok: report.requests.ok,
    dropped: report.requests.dropped,
    throughputRps: round(report.throughputRps, 1),
    goodputRps: round(report.requests.ok / report.durationS, 1),
    latencyMs: report.latencyMs,
    errorsByCode: report.errorsByCode,
    errorRate: round(report.errorRate, 4),
    degradedFraction: sample.ok === 0 ? null : round(sample.degraded / sample.ok, 4),
    degradedSamples: sample.ok,
    cpuUsPerRequest,
    appCpuUsPerRequest: MESH_APPS.reduce((sum, name) => sum + (cpuUsPerRequest[name] ?? 0), 0),
    loadgenCpuUsPerRequest: round(report.clientCpu.usPerRequest),
  };
}

export function formatMesh(result: GetFeedMeshResult): string {
  const header = ['phase', 'rps', 'ok/s', 'p50', 'p90', 'p99', 'p99.9', 'errors', 'degraded', ...MESH_APPS, 'apps', 'loadgen', 'load avg'];
  const rows = result.phases.map((p) => [
    p.name,
    String(p.throughputRps),
    String(p.goodputRps),
    String(p.latencyMs.p50),
    String(p.latencyMs.p90),
    String(p.latencyMs.p99),
    String(p.latencyMs.p999),
    Object.entries(p.errorsByCode).map(([code, n]) => `${code} ${n}`).join(' ') + (p.dropped > 0 ? ` dropped ${p.dropped}` : '') || '0',
    p.degradedFraction === null ? '-' : `${(p.degradedFraction * 100).toFixed(1)}% of ${p.degradedSamples}`,
    ...MESH_APPS.map((name) => String(p.cpuUsPerRequest[name] ?? 'exited')),
    String(p.appCpuUsPerRequest),
    String(p.loadgenCpuUsPerRequest),
    p.loadAverage.split(' ')[0]!,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    'GetFeed through the mesh (latency ms; CPU µs per request per process)',
    line(header),
    ...rows.map(line),
  ].join('\n');
}

export function parsePhases(text: string): MeshPhaseSpec[] {
  return text.split(',').map((part) => {
    const p = part.trim();
    if (p === 'auto') return { kind: 'auto' };
    const match = /^([cr])(\d+)$/.exec(p);
    if (match === null) throw new Error(`not a phase: "${p}" (c<concurrency>, r<rate per second> or auto)`);
    return match[1] === 'c' ? { kind: 'closed', concurrency: Number(match[2]) } : { kind: 'open', rate: Number(match[2]) };
  });
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      phases: { type: 'string', default: 'c1,c16,c64,auto' },
      duration: { type: 'string', default: '15s' },
      warmup: { type: 'string', default: '3s' },
      'timeout-ms': { type: 'string', default: '1000' },
      out: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
  });
  const result = await runGetFeedMesh({
    phases: parsePhases(values.phases),
    durationMs: parseDurationMs(values.duration),
    warmupMs: parseDurationMs(values.warmup),
    timeoutMs: Number(values['timeout-ms']),
    cpuProfileDir: values['cpu-prof'],
  });
  console.log(formatMesh(result));
  const json = JSON.stringify(result);
  if (values.out !== undefined) writeFileSync(values.out, json + '\n');
  console.log(json);
  return 0;
}

if (require.main === module) runAsProcess(main);
