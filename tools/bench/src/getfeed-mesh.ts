/**
 * GetFeed through the whole mesh (BENCHMARKS.md §4): the five apps spawned from their built
 * dist/main.js against the benchmark data set (`feedmesh_bench`, 100k users / 1M items), driven
 * by the load generator with random users u1..u100000. Phases: closed loop at concurrency 1, 16
 * and 64, then open loop at fixed rates (by default 50 %, 75 % and 90 % of the best closed-loop
 * throughput, so they sit around this machine's capacity). Per phase: throughput, latency
 * percentiles, errors by code, the share of degraded pages (side sampler), and what a page costs:
 * CPU of every app process (/proc/<pid>/stat), of the load generator, of the Postgres server
 * (every process of it, see server-cpu.ts) and of redis-server; Postgres transactions of the
 * benchmark database (pg_stat_database) and Redis commands (INFO commandstats) per page.
 *
 *   npm run bench -- getfeed-mesh [--phases c1,c16,c64,auto] [--duration 15s] [--warmup 3s]
 *     [--timeout-ms 1000] [--out getfeed-mesh.json] [--cpu-prof <dir>] [--pg-settle 11s]
 *     [--database-url postgres://…/feedmesh_bench] [--redis-url redis://…] [--users 100000]
 * `--apps-root <dir>` runs another checkout's apps (`<dir>/<app>/dist/main.js`) under this same
 * harness, so an older commit and this one are measured alike, back to back.
 * Phases: `l<N>` later pages of sessions (pages 2..6 by cursor, first pages opened before the
 * window) at N in flight; `c<N>` closed loop at N in flight, `r<R>` open loop at R requests/s, `auto` three rates
 * from the closed-loop phases run before it. `--cpu-prof <dir>` writes a V8 CPU profile of every
 * app to <dir>/<app>/*.cpuprofile (warm-up included); summarize them with
 * `npx node tools/bench/dist/cpu-profile-summary.js <dir>/<app>`.
 *
 * Postgres publishes a backend's counts up to 10 s late (pg-query-counter.ts), so around each
 * measured window the mesh idles `--pg-settle` (11 s) before the `before` reading and before the
 * `after` one; the transactions the idle mesh makes anyway (ingest's job poller), measured once
 * at start over the same time, are taken off the window's for the settle it spans.
 * `--pg-settle 0` skips the waits: quicker, and the pg counts are then off by about a second of
 * load at either end (which roughly cancel).
 *
 * Postgres and Redis are the machine's, shared with other runs: their CPU and Redis' commands
 * are upper bounds on the benchmark's own (pg xacts are per database, so only as far as someone
 * else uses the benchmark database).
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { runLoad, type Report } from '@feedmesh/loadgen';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL, BENCH_USERS, checkBenchData } from './bench-database.js';
import { loadAverage, parseDurationMs, runAsProcess } from './bench-flags.js';
import { startDegradedSampler } from './degraded-sampler.js';
import { openSessions, runLaterPages } from './later-pages.js';
import { benchAuth, type BenchAuth } from './bench-auth.js';
import { MESH_APPS, startMesh, type MeshAppName, type RunningMesh } from './mesh-apps.js';
import { pageCosts, perPage, topCommandsPerPage, type PageCosts } from './page-costs.js';
import { processCpuUs } from './proc-cpu.js';
import { openServerProbes, type ServerProbes } from './server-probes.js';

export type MeshPhaseSpec =
  | { kind: 'closed'; concurrency: number }
  | { kind: 'open'; rate: number }
  /** Later pages of sessions (2..6, by cursor) at this concurrency; the sessions open before the window. */
  | { kind: 'later'; concurrency: number }
  | { kind: 'auto' };

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
  /** The data set (defaults: bench-database.ts). */
  databaseUrl?: string;
  redisUrl?: string;
  users?: number;
  /** Run the apps of another checkout (its `apps/<name>/dist/main.js`), e.g. an older commit's, with this harness. */
  appsRoot?: string;
  /** Authentication on, as in production (bench-auth.ts): every call carries a service token, every hop a peer token. */
  auth?: boolean;
  /** Idle time before each pg_stat_database reading so that Postgres has published every count (default 11 s; 0: none). */
  pgSettleMs?: number;
}

interface MeshPhaseBase {
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
  /**
   * Redis commands per page by command, the most called first (server-wide counts, like
   * redisCommandsPerRequest; commands run by scripts count under their names and in evalsha).
   */
  redisCommandsPerRequestByName: Record<string, number> | null;
}

/** CPU per request of the servers, the total (apps + Postgres + Redis), pg transactions and Redis commands per request. */
export type MeshPhase = MeshPhaseBase & PageCosts;

/** What the idle mesh and the shared servers do without load, per second, measured once at start. */
export interface IdleRates {
  durationS: number;
  appCpuUsPerS: number;
  postgresCpuUsPerS: number | null;
  redisCpuUsPerS: number | null;
  pgXactsPerS: number | null;
  redisCommandsPerS: number | null;
}

export interface GetFeedMeshResult {
  benchmark: 'getfeed-mesh';
  database: string;
  servers: {
    note: string;
    postmasterPid: number | null;
    redisServerPid: number | null;
    pgXactsCounting: string;
    pgSettleMs: number;
  };
  /** Null with --pg-settle 0. */
  idle: IdleRates | null;
  phases: MeshPhase[];
}

export const SHARED_SERVERS_NOTE =
  "Postgres and Redis are this machine's, shared with other runs: postgres, redis and total CPU and redis cmds are upper bounds on the benchmark's own";

const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function runGetFeedMesh(options: GetFeedMeshOptions = {}): Promise<GetFeedMeshResult> {
  const databaseUrl = options.databaseUrl ?? BENCH_DATABASE_URL;
  const redisUrl = options.redisUrl ?? BENCH_REDIS_URL;
  const settleMs = options.pgSettleMs ?? 11_000;
  await checkBenchData(databaseUrl, redisUrl, options.users ?? BENCH_USERS);
  const probes = await openServerProbes(databaseUrl, redisUrl);
  let mesh: RunningMesh;
  let auth: BenchAuth;
  try {
    auth = await benchAuth(options.auth ?? false);
    mesh = await startMesh({ DATABASE_URL: databaseUrl, REDIS_URL: redisUrl }, { cpuProfileDir: options.cpuProfileDir, appsRoot: options.appsRoot, env: auth.env });
  } catch (error) {
    await probes.close();
    throw error;
  }
  try {
    const idle = settleMs > 0 ? await measureIdle(mesh, probes, settleMs) : null;
    if (idle !== null) {
      console.error(
        `idle mesh over ${idle.durationS} s: apps ${idle.appCpuUsPerS} µs CPU/s, postgres ${idle.postgresCpuUsPerS} µs/s, ` +
          `redis ${idle.redisCpuUsPerS} µs/s, ${idle.pgXactsPerS} pg xacts/s, ${idle.redisCommandsPerS} redis cmds/s`,
      );
    }
    const context: PhaseContext = { mesh, probes, settleMs, idle, users: options.users ?? BENCH_USERS, headers: auth.headers };
    const phases: MeshPhase[] = [];
    const specs = options.phases ?? [{ kind: 'closed', concurrency: 1 }, { kind: 'closed', concurrency: 16 }, { kind: 'closed', concurrency: 64 }, { kind: 'auto' }];
    for (const spec of specs) {
      const runs: MeshPhaseSpec[] =
        spec.kind === 'auto' ? autoRates(phases, options.autoRateShares ?? [0.5, 0.75, 0.9]).map((rate) => ({ kind: 'open', rate })) : [spec];
      for (const run of runs) {
        const phase = await runPhase(context, run as Exclude<MeshPhaseSpec, { kind: 'auto' }>, options);
        console.error(
          `${phase.name}: ${phase.throughputRps} rps, p50 ${phase.latencyMs.p50} ms, p99 ${phase.latencyMs.p99} ms, ` +
            `apps ${phase.appCpuUsPerRequest} + postgres ${phase.postgresCpuUsPerRequest} + redis ${phase.redisCpuUsPerRequest} µs CPU/request, ` +
            `${phase.pgXactsPerRequest} pg xacts and ${phase.redisCommandsPerRequest} redis cmds/request, ` +
            `errors ${phase.completed - phase.ok} (load average ${phase.loadAverage})`,
        );
        phases.push(phase);
      }
    }
    return {
      benchmark: 'getfeed-mesh',
      database: probes.database,
      servers: {
        note: SHARED_SERVERS_NOTE,
        postmasterPid: probes.postmasterPid,
        redisServerPid: probes.redisServerPid,
        pgXactsCounting:
          `pg_stat_database xact_commit + xact_rollback of ${probes.database}` +
          (settleMs > 0 ? `, read after ${settleMs / 1000} s idle, less the idle mesh's over that time` : ', read without settling (approximate)') +
          (probes.pgOwnXactsPerWindow > 0 ? ', less the reader\'s own' : ''),
        pgSettleMs: settleMs,
      },
      idle,
      phases,
    };
  } catch (error) {
    for (const name of MESH_APPS) {
      const lines = mesh.apps[name].logs.slice(-3);
      if (lines.length > 0) console.error(`[${name}] ${lines.join('\n')}`);
    }
    throw error;
  } finally {
    await mesh.stop();
    await probes.close();
  }
}

interface PhaseContext {
  mesh: RunningMesh;
  probes: ServerProbes;
  settleMs: number;
  idle: IdleRates | null;
  users: number;
  /** Sent with every benchmark call. */
  headers: Record<string, string>;
}

const appPids = (mesh: RunningMesh) => MESH_APPS.map((name) => mesh.apps[name].child.pid!);
const appsCpuUs = (pids: number[]) => pids.reduce((sum, pid) => sum + (processCpuUs(pid) ?? 0), 0);

/** The mesh without load for `settleMs` (after as long again, so that Postgres' counts are all published). */
async function measureIdle(mesh: RunningMesh, probes: ServerProbes, settleMs: number): Promise<IdleRates> {
  await sleep(settleMs);
  const pids = appPids(mesh);
  const start = await probes.start();
  const appsBefore = appsCpuUs(pids);
  const began = performance.now();
  await sleep(settleMs);
  const appsAfter = appsCpuUs(pids);
  const end = await probes.endNow(start);
  // Both readings lag alike in this steady idle state: the difference is the idle rate.
  const pgXacts = await probes.pgXactsSince(start);
  const seconds = (performance.now() - began) / 1000;
  return {
    durationS: round(seconds, 1),
    appCpuUsPerS: round((appsAfter - appsBefore) / seconds),
    postgresCpuUsPerS: perPage(end.postgresCpuUs, seconds),
    redisCpuUsPerS: perPage(end.redisCpuUs, seconds),
    pgXactsPerS: perPage(pgXacts, seconds, 2),
    redisCommandsPerS: perPage(end.redis?.calls, seconds, 1),
  };
}

function autoRates(closed: readonly MeshPhase[], shares: readonly number[]): number[] {
  // Goodput, not throughput: past capacity the calls that time out fast would inflate it.
  const best = Math.max(0, ...closed.filter((p) => p.name.startsWith('closed')).map((p) => p.goodputRps));
  if (best === 0) throw new Error('`auto` rates need a closed-loop phase before them (e.g. --phases c16,auto)');
  // Rounded to 5 req/s so that runs on a similar day land on comparable rates.
  return shares.map((share) => Math.max(5, Math.round((best * share) / 5) * 5));
}

async function runPhase(context: PhaseContext, spec: Exclude<MeshPhaseSpec, { kind: 'auto' }>, options: GetFeedMeshOptions): Promise<MeshPhase> {
  const { mesh, probes, settleMs } = context;
  const pageSize = options.pageSize ?? 20;
  const timeoutMs = options.timeoutMs ?? 1_000;
  const load = {
    target: mesh.address,
    method: 'feedmesh.feed.v1.FeedService/GetFeed',
    body: JSON.stringify({ userId: '{{user}}', pageSize }),
    variables: [`user=range:u1..u${context.users}`],
    metadata: Object.entries(context.headers),
    timeoutMs,
    ...(spec.kind === 'open' ? { rate: spec.rate, maxInflight: 1000 } : { concurrency: spec.concurrency }),
  };
  // Warm-up as a run of its own, so the CPU window below covers measured calls only.
  await runLoad({ ...load, durationMs: options.warmupMs ?? 3_000 });
  const laterOptions = { address: mesh.address, concurrency: spec.kind === 'later' ? spec.concurrency : 0, durationMs: options.durationMs ?? 15_000, timeoutMs, users: context.users, pageSize, headers: context.headers };
  const sessions = spec.kind === 'later' ? await openSessions(laterOptions) : [];
  // Until Postgres has published the warm-up's transactions.
  if (settleMs > 0) await sleep(settleMs);
  const serversBefore = await probes.start();
  const pids = Object.fromEntries(MESH_APPS.map((name) => [name, mesh.apps[name].child.pid!])) as Record<MeshAppName, number>;
  const cpuBefore = Object.fromEntries(MESH_APPS.map((name) => [name, processCpuUs(pids[name])])) as Record<MeshAppName, number | undefined>;
  const sampler = startDegradedSampler({ address: mesh.address, intervalMs: options.sampleIntervalMs ?? 250, users: context.users, pageSize, timeoutMs, headers: context.headers });
  const report = spec.kind === 'later' ? await runLaterPages(laterOptions, sessions) : await runLoad({ ...load, durationMs: options.durationMs ?? 15_000 });
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
  const servers = await probes.endNow(serversBefore);
  if (settleMs > 0) await sleep(settleMs);
  const pgXacts = await probes.pgXactsSince(serversBefore);
  const appCpuUsPerRequest = MESH_APPS.reduce((sum, name) => sum + (cpuUsPerRequest[name] ?? 0), 0);
  const costs = pageCosts({
    pages: requests,
    appCpuUsPerPage: appCpuUsPerRequest,
    postgresCpuUs: servers.postgresCpuUs,
    postgresDatabaseBackendsCpuUs: servers.postgresDatabaseBackendsCpuUs,
    redisCpuUs: servers.redisCpuUs,
    redisCommands: servers.redis?.calls,
    redisCommandUs: servers.redis?.usec,
    pgXacts,
    pgIdleXactsPerS: context.idle?.pgXactsPerS,
    windowS: report.durationS,
    pgSettleS: settleMs / 1000,
  });
  return {
    name: spec.kind === 'closed' ? `closed c=${spec.concurrency}` : spec.kind === 'later' ? `later pages c=${spec.concurrency}` : `open ${spec.rate}/s`,
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
    appCpuUsPerRequest,
    loadgenCpuUsPerRequest: round(report.clientCpu.usPerRequest),
    ...costs,
    redisCommandsPerRequestByName: servers.redis === undefined ? null : topCommandsPerPage(servers.redis.byCommand, requests),
  };
}

export function formatMesh(result: GetFeedMeshResult): string {
  const header = [
    'phase', 'rps', 'ok/s', 'p50', 'p90', 'p99', 'p99.9', 'errors', 'degraded', ...MESH_APPS, 'apps', 'loadgen',
    'postgres', 'pg db', 'redis', 'total', 'pg xacts', 'pg > idle', 'redis cmds', 'load avg',
  ];
  const cell = (value: number | null) => (value === null ? '-' : String(value));
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
    cell(p.postgresCpuUsPerRequest),
    cell(p.postgresDatabaseBackendsCpuUsPerRequest),
    cell(p.redisCpuUsPerRequest),
    String(p.totalCpuUsPerRequest),
    cell(p.pgXactsPerRequest),
    cell(p.pgXactsPerRequestBeyondIdle),
    cell(p.redisCommandsPerRequest),
    p.loadAverage.split(' ')[0]!,
  ]);
  const idle = result.idle;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [
    'GetFeed through the mesh (latency ms; per request: CPU µs of each app, the apps, the load generator, the Postgres server,',
    `its ${result.database} backends alone (pg db), redis-server and total = apps + postgres + redis; Postgres transactions of ${result.database}`,
    '(pg xacts; pg > idle: less what the idle mesh makes in as long) and Redis commands)',
    line(header),
    ...rows.map(line),
    `${result.servers.note}; pg xacts: ${result.servers.pgXactsCounting}.`,
    ...(idle === null
      ? []
      : [
          `Idle mesh (${idle.durationS} s, no load): apps ${idle.appCpuUsPerS} µs CPU/s, postgres ${cell(idle.postgresCpuUsPerS)} µs/s, ` +
            `redis ${cell(idle.redisCpuUsPerS)} µs/s, ${cell(idle.pgXactsPerS)} pg xacts/s, ${cell(idle.redisCommandsPerS)} redis cmds/s.`,
        ]),
  ].join('\n');
}

export function parsePhases(text: string): MeshPhaseSpec[] {
  return text.split(',').map((part) => {
    const p = part.trim();
    if (p === 'auto') return { kind: 'auto' };
    const match = /^([crl])(\d+)$/.exec(p);
    if (match === null) throw new Error(`not a phase: "${p}" (c<concurrency>, r<rate per second>, l<concurrency> for later pages, or auto)`);
    const n = Number(match[2]);
    return match[1] === 'c' ? { kind: 'closed', concurrency: n } : match[1] === 'l' ? { kind: 'later', concurrency: n } : { kind: 'open', rate: n };
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
      'pg-settle': { type: 'string', default: '11s' },
      'database-url': { type: 'string' },
      'redis-url': { type: 'string' },
      users: { type: 'string' },
      'apps-root': { type: 'string' },
      auth: { type: 'boolean', default: false },
    },
  });
  const users = values.users === undefined ? undefined : Number(values.users);
  if (users !== undefined && (!Number.isInteger(users) || users <= 0)) throw new Error(`--users must be a positive integer, got "${values.users}"`);
  const result = await runGetFeedMesh({
    phases: parsePhases(values.phases),
    durationMs: parseDurationMs(values.duration),
    warmupMs: parseDurationMs(values.warmup),
    timeoutMs: Number(values['timeout-ms']),
    cpuProfileDir: values['cpu-prof'],
    pgSettleMs: parseDurationMs(values['pg-settle']),
    databaseUrl: values['database-url'],
    redisUrl: values['redis-url'],
    users,
    appsRoot: values['apps-root'],
    auth: values.auth,
  });
  console.log(formatMesh(result));
  const json = JSON.stringify(result);
  if (values.out !== undefined) writeFileSync(values.out, json + '\n');
  console.log(json);
  return 0;
}

if (require.main === module) runAsProcess(main);
