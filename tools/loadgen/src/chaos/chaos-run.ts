// One chaos run on a mesh of its own: a fresh database seeded by @feedmesh/seed, a redis-server on
// a free port, recall/ranking/render/aggregator from their built dist/main.js (tools/faults'
// FaultMesh), and a latency proxy in front of each dependency a plan slows. GetFeed load runs open
// loop through runLoad while the plan's faults fire at their times; every call is recorded and the
// phases are judged against the plan's SLO.
import { randomBytes } from 'node:crypto';
import { FeedService } from '@feedmesh/contracts';
import { clientOf, FaultMesh, firstPageCall, now, settle, startRedisServer, type AppName, type RedisServer } from '@feedmesh/faults';
import { seed } from '@feedmesh/seed';
import { dropDatabase } from '@feedmesh/storage';
import type { Report } from '../report.js';
import { runLoad } from '../run-load.js';
import { OK } from '../status-codes.js';
import { describeFault, type ChaosPlan, type Dependency, type FaultSpec, type MeshApp } from './fault-plan.js';
import { killApp, restartApp, stopApp } from './faults/app-process.js';
import { addLatency, restartRedis } from './faults/dependency.js';
import { startLatencyProxy, type LatencyProxy } from './faults/latency-proxy.js';
import type { MeasuredFault } from './faults/measured-fault.js';
import { evaluatePhases, type ChaosCall, type FaultWindow, type PhaseVerdict } from './phase-slo.js';

const POSTGRES_PORT = 5432;
const GET_FEED = 'feedmesh.feed.v1.FeedService/GetFeed';
const APPS: readonly AppName[] = ['recall', 'ranking', 'render', 'aggregator'];
/** How long the mesh may take to answer whole pages in a row after its start. */
const SETTLE_TIMEOUT_MS = 90_000;

/** A fault as it happened; times in ms from the start of the measured load. */
export interface InjectedFault {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly detail: string;
}

/** What a run leaves behind: enough to print the table, or to judge the same calls against another gate. */
export interface ChaosRunResult {
  readonly plan: string;
  readonly verdict: PhaseVerdict;
  readonly faults: readonly InjectedFault[];
  /** The phases' windows (each fault plus the plan's recovery time), ms from the start of the measured load. */
  readonly windows: readonly FaultWindow[];
  /** Every measured call, ms from the start of the measured load. */
  readonly calls: readonly ChaosCall[];
  readonly load: Pick<Report, 'requests' | 'throughputRps' | 'latencyMs' | 'errorsByCode' | 'durationS'>;
}

export interface ChaosRunOptions {
  /** Progress lines (mesh up, each fault); default: nothing. */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
}

export async function runChaos(plan: ChaosPlan, options: ChaosRunOptions = {}): Promise<ChaosRunResult> {
  const { load } = plan;
  const log = options.log ?? (() => {});
  const databaseUrl = `postgres://postgres@127.0.0.1:${POSTGRES_PORT}/feedmesh_test_chaos_${randomBytes(4).toString('hex')}`;
  const proxies = new Map<string, LatencyProxy>();
  let redis: RedisServer | undefined;
  let mesh: FaultMesh | undefined;
  try {
    redis = await startRedisServer();
    const setupStart = now();
    await seed({ databaseUrl, redisUrl: redis.url, users: plan.mesh.users, items: plan.mesh.items, seed: 17, days: 3, timelineLength: 400, nowMs: Date.now() - 60_000 });
    log(`seeded ${plan.mesh.users} users, ${plan.mesh.items} items in ${Math.round(now() - setupStart)} ms; redis-server on ${redis.port}`);

    // A latency fault needs its proxy in the app's connection string from the start.
    const env: Partial<Record<AppName, Record<string, string>>> = {};
    for (const fault of plan.faults) {
      if (fault.action !== 'latency') continue;
      const key = proxyKey(fault.app!, fault.dependency!);
      if (proxies.has(key)) continue;
      const proxy = await startLatencyProxy(fault.dependency === 'redis' ? redis.port : POSTGRES_PORT);
      proxies.set(key, proxy);
      const own = (env[fault.app!] ??= {});
      if (fault.dependency === 'redis') own.REDIS_URL = `redis://127.0.0.1:${proxy.port}`;
      else own.DATABASE_URL = withPort(databaseUrl, proxy.port);
    }
    const meshStart = now();
    mesh = await FaultMesh.start({ databaseUrl, redisUrl: redis.url, apps: APPS, env });
    log(`mesh ready in ${Math.round(now() - meshStart)} ms; aggregator on ${mesh.address('aggregator')}`);
    // Ready is not warm: the first pages fill render's and recall's caches and can take seconds on a
    // busy box. Load starts once pages come whole one after another, so 'outside faults' is the steady state.
    const feed = clientOf(FeedService, mesh.address('aggregator'), 'grpc');
    const settleStart = now();
    try {
      const settling = await settle(firstPageCall(feed, Array.from({ length: plan.mesh.users }, (_, i) => `u${i + 1}`), load.timeoutMs), { timeoutMs: SETTLE_TIMEOUT_MS });
      log(`settled after ${settling.length} pages, ${Math.round(now() - settleStart)} ms`);
    } finally {
      feed.close();
    }

    return await drive(plan, mesh, redis, proxies, log, options.signal);
  } finally {
    await mesh?.stopAll();
    await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
    await redis?.destroy();
    await dropDatabase(databaseUrl).catch(() => {});
  }
}

async function drive(
  plan: ChaosPlan,
  mesh: FaultMesh,
  redis: RedisServer,
  proxies: ReadonlyMap<string, LatencyProxy>,
  log: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<ChaosRunResult> {
  const calls: ChaosCall[] = [];
  const abort = new AbortController();
  const onAbort = (): void => abort.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const { load } = plan;
  const startMs = now();
  const measureStartMs = startMs + load.warmupMs;
  const running = runLoad({
    target: load.protocol === 'connect' ? `http://${mesh.address('aggregator')}` : mesh.address('aggregator'),
    method: GET_FEED,
    protocol: load.protocol,
    body: JSON.stringify({ userId: '{{user}}', pageSize: load.pageSize }),
    variables: [`user=range:u1..u${plan.mesh.users}`],
    rate: load.rate,
    maxInflight: load.maxInflight,
    warmupMs: load.warmupMs,
    durationMs: load.durationMs,
    timeoutMs: load.timeoutMs,
    traceSample: 0,
    signal: abort.signal,
    onCall: (call) => {
      const degraded = call.code === OK && (call.response as { degraded?: boolean } | undefined)?.degraded === true;
      calls.push({ startMs: call.intendedStartMs - measureStartMs, endMs: call.endMs - measureStartMs, code: call.code, degraded });
    },
  });

  let faultError: unknown;
  const injected = plan.faults.map(async (fault): Promise<InjectedFault | undefined> => {
    await sleepUntil(measureStartMs + fault.atMs, abort.signal);
    if (abort.signal.aborted) return undefined;
    const name = `faults[${fault.index}] ${describeFault(fault)}`;
    log(`${name}: at ${fault.atMs / 1000}s for ${fault.forMs / 1000}s`);
    try {
      const measured = await inject(fault, mesh, redis, proxies);
      log(`${name}: ${measured.detail}`);
      return { name, startMs: measured.startMs - measureStartMs, endMs: measured.endMs - measureStartMs, detail: measured.detail };
    } catch (error) {
      // A fault that could not be undone (an app that does not come back) ends the run: its phases would mean nothing.
      faultError ??= error;
      abort.abort();
      return undefined;
    }
  });
  try {
    const report = await running;
    const faults = (await Promise.all(injected)).filter((fault): fault is InjectedFault => fault !== undefined);
    if (faultError !== undefined) throw faultError;
    if (signal?.aborted) throw new Error('chaos run aborted');
    const windows = faults.map((fault) => ({ name: fault.name, startMs: fault.startMs, endMs: fault.endMs + plan.recoveryMs }));
    return {
      plan: plan.name,
      verdict: evaluatePhases(calls, windows, plan.slo),
      faults,
      windows,
      calls,
      load: { requests: report.requests, throughputRps: report.throughputRps, latencyMs: report.latencyMs, errorsByCode: report.errorsByCode, durationS: report.durationS },
    };
  } finally {
    abort.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}

function inject(fault: FaultSpec, mesh: FaultMesh, redis: RedisServer, proxies: ReadonlyMap<string, LatencyProxy>): Promise<MeasuredFault> {
  switch (fault.action) {
    case 'kill':
      return killApp(mesh, fault.app!, fault.forMs);
    case 'stop':
      return stopApp(mesh, fault.app!, fault.forMs);
    case 'restart':
      return restartApp(mesh, fault.app!, fault.forMs);
    case 'latency':
      return addLatency(proxies.get(proxyKey(fault.app!, fault.dependency!))!, fault.ms, fault.forMs);
    case 'redis-restart':
      return restartRedis(redis, fault.forMs);
  }
}

const proxyKey = (app: MeshApp, dependency: Dependency): string => `${app}:${dependency}`;

function withPort(url: string, port: number): string {
  const parsed = new URL(url);
  parsed.port = String(port);
  return parsed.toString();
}

function sleepUntil(atMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, Math.max(0, atMs - now()));
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
