// Benchmark: ranking 100,000 candidates — the columnar path (CandidateBlock → RankBlock) beside the
// v1 path (nested Candidate messages → Rank), in one run.
//   (a) in-process, per variant: feed-core's scoreColumns + diversifyColumns as the ranking app
//       runs them — wall time (median / p90 after warm-up) and bytes allocated per run (heap and
//       ArrayBuffer growth with no GC inside the run, garbage included) against 32 MB. Variants:
//         block, page   columns of a decoded 100k block, limit 50 (diversity over limit + lookahead)
//         block, all    the same, limit 0: every item ordered and diversified (worst case)
//         v1, page      100k decoded Candidate messages turned into columns first (the v1 Rank path)
//       Wall time is what a caller waits; CPU time (process.cpuUsage) is what the run cost this
//       process, and is the steadier figure on a loaded machine. Plus the decode of the 100k block
//       itself, as the app does it (typed-array decoder + layout checks) and with fromBinary.
//   (b) gRPC: RankBlock with the encoded 100k block and Rank with the 100k messages, alternating
//       call by call, against a spawned ranking app (request size, end-to-end latency).
//   (c) a feed page: 500 candidates per call, ranking server CPU per call (RankBlock vs Rank), from
//       /proc/<pid>/stat over many calls.
// Run: `npx node tools/bench/dist/ranking-100k.js [--runs 20] [--warmup 3] [--network-runs 5]
//       [--candidates 100000] [--limit 50] [--page-calls 1000] [--variants block-page,block-all,v1-page]
//       [--no-network]` (needs the built
//       ranking app, Postgres at DATABASE_URL's server and Redis at REDIS_URL for (b) and (c): the
//       app ranks against a throwaway database it drops after, under a Redis key prefix of its own).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CandidateBlockSchema, CandidateSchema, ItemKind, RankBlockRequestSchema, RankingService, RankRequestSchema, type Candidate } from '@feedmesh/contracts';
import {
  blockOfCandidates,
  candidateColumns,
  columnsOfCandidates,
  diversifyColumns,
  diversityReach,
  scoreColumns,
  type CandidateColumns,
  type DiversityRules,
  type UserFeatures,
} from '@feedmesh/feed-core';
import { shippedModel } from '@feedmesh/ranking/dist/model/default-model.js';
import { validateRankBlockRequest } from '@feedmesh/ranking/dist/request/validate-rank-block-request.js';
import { createServiceClient, spawnApp } from '@feedmesh/service-kit';
import { createPgPool, createRedis, dropDatabase, waitForRedis } from '@feedmesh/storage';

export interface RankingBenchmarkOptions {
  /** Candidates per ranking (default 100,000). */
  candidates?: number;
  /** Measured in-process runs per variant (default 20), after `warmupRuns` (default 3). */
  runs?: number;
  warmupRuns?: number;
  /** Calls of each RPC measured over gRPC (default 5, after one warm-up call each); 0 skips (b) and (c). */
  networkRuns?: number;
  /** In-process variants to run (default all three). */
  variants?: VariantName[];
  /** Page size: `limit` of the page variants and of the calls (default 50); 0 returns every item. */
  limit?: number;
  /** Calls of each RPC for the 500-candidate page CPU figure (default 1,000). */
  pageCalls?: number;
  /** Built ranking entry point (default: apps/ranking/dist/main.js of this repo). */
  rankingEntry?: string;
  /** Postgres server for the spawned app; a throwaway database on it is created and dropped. */
  postgresUrl?: string;
}

export interface Distribution {
  medianMs: number;
  p90Ms: number;
  minMs: number;
}

export const VARIANTS = ['block-page', 'block-all', 'v1-page'] as const;
export type VariantName = (typeof VARIANTS)[number];

export interface VariantResult {
  variant: VariantName;
  limit: number;
  /** v1 only: Candidate messages → columns. */
  convert?: Distribution;
  score: Distribution;
  diversify: Distribution;
  /** convert + score + diversify. */
  total: Distribution;
  /** CPU time of this process over convert + score + diversify (user + system). */
  totalCpu: Distribution;
  /** Growth over a post-GC baseline at the stage boundaries of a run without GC (garbage included), median. */
  allocatedMB: number;
  /** The largest per-run allocation, and every run's, in run order. */
  allocatedMaxMB: number;
  allocatedRunsMB: number[];
  /** Of the median run: by conversion, scoring and diversity. */
  convertAllocatedMB: number;
  scoreAllocatedMB: number;
  diversifyAllocatedMB: number;
  /** Still held once the result is kept and garbage collected. */
  retainedMB: number;
  /** Collections V8 ran by itself inside the memory runs; 0 makes the figures exact. */
  gcsDuringRuns: number;
}

export interface RankingBenchmarkResult {
  benchmark: 'ranking-100k';
  node: string;
  candidates: number;
  loadAverage: { before: number[]; after: number[] };
  inProcess: {
    runs: number;
    variants: VariantResult[];
    /** The app's decode of the 100k block (validateRankBlockRequest: typed-array decoder + candidateColumns). */
    decodeBlock: Distribution;
    /** The same block through the generic decoder: fromBinary(CandidateBlockSchema) + candidateColumns. */
    decodeBlockFromBinary: Distribution;
    blockBytes: number;
    targetMs: number;
    targetMB: number;
  };
  network?: {
    runs: number;
    limit: number;
    rankBlock: { requestBytes: number; latency: Distribution; serverCpuMsPerCall: number; itemsReturned: number };
    rank: { requestBytes: number; latency: Distribution; serverCpuMsPerCall: number; itemsReturned: number };
    targetMs: number;
    modelVersion: string;
    page: {
      candidates: number;
      calls: number;
      rankBlock: { serverCpuUsPerCall: number; latency: Distribution };
      rank: { serverCpuUsPerCall: number; latency: Distribution };
    };
  };
}

/** The issue's targets: in process ≤ 15 ms median and ≤ 32 MB allocated; over gRPC ≤ 150 ms. */
const TARGET_MS = 15;
const TARGET_MB = 32;
const TARGET_GRPC_MS = 150;
const NOW_MS = 1_750_000_000_000;
const MB = 1024 * 1024;
/** The ranking app's default rules (the diversity section of apps/ranking/model/default-model.json). */
const RULES: DiversityRules = { maxSameKindRun: 3, maxSameAuthorRun: 2 };
const LOOKAHEAD = 100;
const PAGE_CANDIDATES = 500;
const BENCH_USER = 'bench-user';

interface Inputs {
  candidates: Candidate[];
  blockBytes: Uint8Array;
  columns: CandidateColumns;
  user: UserFeatures;
}

function makeInputs(n: number): Inputs {
  const candidates = makeCandidates(n);
  const blockBytes = toBinary(CandidateBlockSchema, create(CandidateBlockSchema, blockOfCandidates(candidates)));
  return { candidates, blockBytes, columns: decodeBlock(blockBytes), user: makeUser() };
}

/** As the app decodes RankBlock's candidates. */
const decodeBlock = (bytes: Uint8Array) => validateRankBlockRequest(create(RankBlockRequestSchema, { userId: BENCH_USER, candidates: bytes }));
const decodeBlockFromBinary = (bytes: Uint8Array) => candidateColumns(fromBinary(CandidateBlockSchema, bytes));

export async function runRankingBenchmark(options: RankingBenchmarkOptions = {}): Promise<RankingBenchmarkResult> {
  const n = options.candidates ?? 100_000;
  const runs = options.runs ?? 20;
  const warmupRuns = options.warmupRuns ?? 3;
  const limit = options.limit ?? 50;
  const before = loadAverage();
  const inputs = makeInputs(n);

  const variants: VariantResult[] = [];
  for (const variant of options.variants ?? VARIANTS) {
    const variantLimit = variant === 'block-all' ? 0 : limit;
    const timing = measureTiming(variant, variantLimit, inputs, runs, warmupRuns);
    const memory = await measureMemoryInChild(variant, variantLimit, n, runs, warmupRuns);
    variants.push({ variant, limit: variantLimit, ...timing, ...memory });
  }
  const decodeMs: number[] = [];
  const decodeFromBinaryMs: number[] = [];
  for (let r = 0; r < warmupRuns + runs; r++) {
    const t0 = performance.now();
    decodeBlock(inputs.blockBytes);
    const t1 = performance.now();
    decodeBlockFromBinary(inputs.blockBytes);
    if (r >= warmupRuns) {
      decodeMs.push(t1 - t0);
      decodeFromBinaryMs.push(performance.now() - t1);
    }
  }

  const result: RankingBenchmarkResult = {
    benchmark: 'ranking-100k',
    node: process.version,
    candidates: n,
    loadAverage: { before, after: before },
    inProcess: {
      runs,
      variants,
      decodeBlock: distribution(decodeMs),
      decodeBlockFromBinary: distribution(decodeFromBinaryMs),
      blockBytes: inputs.blockBytes.length,
      targetMs: TARGET_MS,
      targetMB: TARGET_MB,
    },
  };
  const networkRuns = options.networkRuns ?? 5;
  if (networkRuns > 0) result.network = await measureNetwork(inputs, networkRuns, limit, options);
  result.loadAverage.after = loadAverage();
  return result;
}

interface RunSample {
  convertMs: number;
  scoreMs: number;
  diversifyMs: number;
  cpuMs: number;
  picked: Int32Array;
  /** Memory at the stage boundaries: after conversion, scoring, diversity. */
  samples: [NodeJS.MemoryUsage, NodeJS.MemoryUsage, NodeJS.MemoryUsage];
}

/** One ranking as the app runs it: (v1: candidates → columns), score, order the reachable prefix, diversify it. */
function rankOnce(variant: VariantName, limit: number, inputs: Inputs): RunSample {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const columns = variant === 'v1-page' ? columnsOfCandidates(inputs.candidates) : inputs.columns;
  const t1 = performance.now();
  const afterConvert = process.memoryUsage();
  const total = columns.count;
  const take = limit === 0 ? total : Math.min(limit, total);
  const scored = scoreColumns(columns, inputs.user, shippedModel.scoring, NOW_MS, { top: diversityReach(total, take, LOOKAHEAD) });
  const t2 = performance.now();
  const afterScore = process.memoryUsage();
  const picked = diversifyColumns(columns, scored.order, RULES, { limit: take, lookahead: LOOKAHEAD });
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const afterDiversify = process.memoryUsage();
  if (picked.length !== take) throw new Error(`ranking returned ${picked.length} items, expected ${take}`);
  return {
    convertMs: t1 - t0,
    scoreMs: t2 - t1,
    diversifyMs: t3 - t2,
    cpuMs: (cpu.user + cpu.system) / 1000,
    picked,
    samples: [afterConvert, afterScore, afterDiversify],
  };
}

/** Wall time in this process, with Node's default heap configuration (scavenges included). */
function measureTiming(variant: VariantName, limit: number, inputs: Inputs, runs: number, warmupRuns: number) {
  for (let i = 0; i < warmupRuns; i++) rankOnce(variant, limit, inputs);
  const convert: number[] = [];
  const score: number[] = [];
  const div: number[] = [];
  const total: number[] = [];
  const totalCpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const run = rankOnce(variant, limit, inputs);
    totalCpu.push(run.cpuMs);
    convert.push(run.convertMs);
    score.push(run.scoreMs);
    div.push(run.diversifyMs);
    total.push(run.convertMs + run.scoreMs + run.diversifyMs);
  }
  return {
    ...(variant === 'v1-page' ? { convert: distribution(convert) } : {}),
    score: distribution(score),
    diversify: distribution(div),
    total: distribution(total),
    totalCpu: distribution(totalCpu),
  };
}

type MemoryFigures = Pick<
  VariantResult,
 'allocatedMB' | 'allocatedMaxMB' | 'allocatedRunsMB' | 'convertAllocatedMB' | 'scoreAllocatedMB' | 'diversifyAllocatedMB' | 'retainedMB' | 'gcsDuringRuns'
>;

/**
 * Memory is measured in a child whose young generation is large enough that V8 collects nothing
 * inside a run: JavaScript is single-threaded, so nothing can sample *inside* the synchronous
 * scoring call, but with no collection in between, the growth seen at the stage boundaries is
 * everything the ranking allocated (garbage included), i.e. an upper bound on its true peak.
 */
const MEMORY_CHILD_FLAG = '--ranking-memory-child';
const MEMORY_CHILD_SEMI_SPACE_MB = 128;

function measureMemoryInChild(variant: VariantName, limit: number, n: number, runs: number, warmupRuns: number): Promise<MemoryFigures> {
  const child = fork(__filename, [MEMORY_CHILD_FLAG, JSON.stringify({ variant, limit, n, runs, warmupRuns })], {
    execPath: process.execPath,
    execArgv: ['--expose-gc', `--min-semi-space-size=${MEMORY_CHILD_SEMI_SPACE_MB}`, `--max-semi-space-size=${MEMORY_CHILD_SEMI_SPACE_MB}`],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let figures: MemoryFigures | undefined;
    child.once('message', (message) => (figures = message as MemoryFigures));
    child.once('error', reject);
    child.once('exit', (code) => (figures && code === 0 ? resolve(figures) : reject(new Error(`memory child exited with ${code}`))));
  });
}

async function memoryChildMain(): Promise<void> {
  const { variant, limit, n, runs, warmupRuns } = JSON.parse(process.argv[process.argv.indexOf(MEMORY_CHILD_FLAG) + 1]!) as {
    variant: VariantName;
    limit: number;
    n: number;
    runs: number;
    warmupRuns: number;
  };
  const gc = exposeGc();
  const inputs = makeInputs(n);
  for (let i = 0; i < warmupRuns; i++) rankOnce(variant, limit, inputs);

  // Collections V8 starts by itself inside a measured run (ours are forced, between runs).
  const gcStarts: number[] = [];
  const forced = perfConstants.NODE_PERFORMANCE_GC_FLAGS_FORCED;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const flags = (entry as PerformanceEntry & { detail?: { flags?: number } }).detail?.flags ?? 0;
      if ((flags & forced) === 0) gcStarts.push(entry.startTime);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const windows: [number, number][] = [];

  const totals: number[] = [];
  const stages: [number, number, number][] = [];
  let retained = 0;
  const totalOf = (m: NodeJS.MemoryUsage) => m.heapUsed + m.arrayBuffers;
  for (let r = 0; r < runs; r++) {
    gc();
    gc();
    const base = totalOf(process.memoryUsage());
    const start = performance.now();
    const run = rankOnce(variant, limit, inputs);
    windows.push([start, performance.now()]);
    const [afterConvert, afterScore, afterDiversify] = run.samples.map(totalOf) as [number, number, number];
    totals.push(Math.max(afterConvert, afterScore, afterDiversify) - base);
    stages.push([afterConvert - base, afterScore - afterConvert, afterDiversify - afterScore]);
    gc();
    retained = Math.max(retained, totalOf(process.memoryUsage()) - base);
    // The result stays referenced until here, so `retained` is what a caller holding it pays.
    if (run.picked.length === 0 && n > 0) throw new Error('empty ranking');
  }
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const medianRun = stages[totals.indexOf(median(totals))]!;
  const figures: MemoryFigures = {
    allocatedMB: round(median(totals) / MB),
    allocatedMaxMB: round(Math.max(...totals) / MB),
    allocatedRunsMB: totals.map((t) => round(t / MB)),
    convertAllocatedMB: round(medianRun[0] / MB),
    scoreAllocatedMB: round(medianRun[1] / MB),
    diversifyAllocatedMB: round(medianRun[2] / MB),
    retainedMB: round(retained / MB),
    gcsDuringRuns: gcStarts.filter((t) => windows.some(([a, b]) => t >= a && t <= b)).length,
  };
  process.send!(figures);
}

async function measureNetwork(inputs: Inputs, runs: number, limit: number, options: RankingBenchmarkOptions): Promise<NonNullable<RankingBenchmarkResult['network']>> {
  const entry = options.rankingEntry ?? path.resolve(__dirname, '../../../apps/ranking/dist/main.js');
  const server = new URL(options.postgresUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/feedmesh');
  server.pathname = `/feedmesh_bench_ranking_${Date.now().toString(36)}`;
  const databaseUrl = server.toString();
  const keyPrefix = `fmb-ranking-${randomBytes(4).toString('hex')}:`;
  const redis = createRedis({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', lazyConnect: true });

  const rankRequest = create(RankRequestSchema, { userId: BENCH_USER, candidates: inputs.candidates, limit, nowMs: BigInt(NOW_MS) });
  const blockRequest = create(RankBlockRequestSchema, { userId: BENCH_USER, candidates: inputs.blockBytes, limit, nowMs: BigInt(NOW_MS) });
  const pageCandidates = inputs.candidates.slice(0, PAGE_CANDIDATES);
  const pageRank = create(RankRequestSchema, { userId: BENCH_USER, candidates: pageCandidates, limit: 20, nowMs: BigInt(NOW_MS) });
  const pageBlock = create(RankBlockRequestSchema, {
    userId: BENCH_USER,
    candidates: toBinary(CandidateBlockSchema, create(CandidateBlockSchema, blockOfCandidates(pageCandidates))),
    limit: 20,
    nowMs: BigInt(NOW_MS),
  });

  const app = await spawnApp(
    entry,
    { DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'true', LOG_LEVEL: 'warn', REDIS_KEY_PREFIX: keyPrefix },
    { name: 'ranking', timeoutMs: 60_000 },
  );
  const client = createServiceClient(RankingService, { address: app.address, defaultTimeoutMs: 60_000, maxRetries: 0, maxMessageBytes: 64 * MB });
  try {
    await seedUser(databaseUrl, inputs.user);
    await waitForRedis(redis);
    // Warm-up: JIT, pools, the user's read-model read-through and in-process cache.
    let lastBlock = await client.rankBlock(blockRequest);
    let lastRank = await client.rank(rankRequest);
    const blockLatency: number[] = [];
    const rankLatency: number[] = [];
    const serverCpuUs = { block: 0, rank: 0 };
    for (let r = 0; r < runs; r++) {
      for (const which of r % 2 === 0 ? (['block', 'rank'] as const) : (['rank', 'block'] as const)) {
        const cpu0 = processCpuUs(app.child.pid!);
        const t0 = performance.now();
        if (which === 'block') lastBlock = await client.rankBlock(blockRequest);
        else lastRank = await client.rank(rankRequest);
        (which === 'block' ? blockLatency : rankLatency).push(performance.now() - t0);
        serverCpuUs[which] += processCpuUs(app.child.pid!) - cpu0;
      }
    }

    // (c) The page: many small calls, the server's CPU per call, the two RPCs in alternating rounds.
    const calls = options.pageCalls ?? 1_000;
    const rounds = 4;
    const perRound = Math.max(1, Math.floor(calls / rounds));
    const page = { block: { cpuUs: 0, latency: [] as number[] }, rank: { cpuUs: 0, latency: [] as number[] } };
    for (let i = 0; i < 50; i++) {
      await client.rankBlock(pageBlock);
      await client.rank(pageRank);
    }
    for (let round = 0; round < rounds; round++) {
      for (const which of round % 2 === 0 ? (['block', 'rank'] as const) : (['rank', 'block'] as const)) {
        const cpu0 = processCpuUs(app.child.pid!);
        for (let i = 0; i < perRound; i++) {
          const t0 = performance.now();
          if (which === 'block') await client.rankBlock(pageBlock);
          else await client.rank(pageRank);
          page[which].latency.push(performance.now() - t0);
        }
        page[which].cpuUs += processCpuUs(app.child.pid!) - cpu0;
      }
    }
    const pageCalls = perRound * rounds;
    return {
      runs,
      limit,
      rankBlock: {
        requestBytes: toBinary(RankBlockRequestSchema, blockRequest).length,
        latency: distribution(blockLatency),
        serverCpuMsPerCall: round(serverCpuUs.block / runs / 1000),
        itemsReturned: lastBlock.items?.count ?? 0,
      },
      rank: {
        requestBytes: toBinary(RankRequestSchema, rankRequest).length,
        latency: distribution(rankLatency),
        serverCpuMsPerCall: round(serverCpuUs.rank / runs / 1000),
        itemsReturned: lastRank.items.length,
      },
      targetMs: TARGET_GRPC_MS,
      modelVersion: lastBlock.modelVersion,
      page: {
        candidates: pageCandidates.length,
        calls: pageCalls,
        rankBlock: { serverCpuUsPerCall: Math.round(page.block.cpuUs / pageCalls), latency: distribution(page.block.latency) },
        rank: { serverCpuUsPerCall: Math.round(page.rank.cpuUs / pageCalls), latency: distribution(page.rank.latency) },
      },
    };
  } finally {
    client.close();
    await app.stop();
    await redis.del(`${keyPrefix}{u:${BENCH_USER}}:rm`).catch(() => undefined);
    redis.disconnect();
    await dropDatabase(databaseUrl);
  }
}

/** The benchmark user and its author and kind affinities, in the app's throwaway database. */
async function seedUser(databaseUrl: string, user: UserFeatures): Promise<void> {
  const db = createPgPool({ connectionString: databaseUrl, max: 1, applicationName: 'bench-ranking' });
  try {
    await db.query(`INSERT INTO users (id, handle, display_name) SELECT id, id, id FROM unnest($1::text[]) AS id`, [[BENCH_USER, ...user.authorAffinity.keys()]]);
    await db.query(`INSERT INTO user_author_affinity (user_id, author_id, score) SELECT $1, a, s FROM unnest($2::text[], $3::real[]) AS t(a, s)`, [
      BENCH_USER,
      [...user.authorAffinity.keys()],
      [...user.authorAffinity.values()],
    ]);
    await db.query(`INSERT INTO user_kind_affinity (user_id, kind, score) SELECT $1, k, s FROM unnest($2::int[], $3::real[]) AS t(k, s)`, [
      BENCH_USER,
      [...user.kindAffinity.keys()],
      [...user.kindAffinity.values()],
    ]);
  } finally {
    await db.end();
  }
}

/** utime + stime of a process (all threads), in µs, from /proc/<pid>/stat (10 ms ticks). */
function processCpuUs(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the line; `fields` starts at field 3.
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

function loadAverage(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

/** Decoded-message-shaped candidates: 5,000 authors, three kinds, three days of ages, mixed sources. */
function makeCandidates(n: number): Candidate[] {
  const random = mulberry32(42);
  const kinds = [ItemKind.ARTICLE, ItemKind.VIDEO, ItemKind.LIVE];
  const sourceSets = [['following'], ['trending'], ['following', 'trending'], ['interest'], ['fresh']];
  const out = new Array<Candidate>(n);
  for (let i = 0; i < n; i++) {
    const views = Math.floor(random() * 50_000);
    out[i] = create(CandidateSchema, {
      item: {
        id: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
        kind: kinds[Math.floor(random() * 3)]!,
        authorId: `user-${Math.floor(random() * 5_000)}`,
        createdAtMs: BigInt(NOW_MS - Math.floor(random() * 72 * 3_600_000)),
      },
      sources: sourceSets[Math.floor(random() * sourceSets.length)]!,
      stats: {
        views: BigInt(views),
        likes: BigInt(Math.floor(views * random() * 0.1)),
        shares: BigInt(Math.floor(views * random() * 0.01)),
        hides: BigInt(Math.floor(views * random() * 0.002)),
      },
      recallScore: random(),
    });
  }
  return out;
}

function makeUser(): UserFeatures {
  const random = mulberry32(7);
  const authorAffinity = new Map<string, number>();
  for (let i = 0; i < 500; i++) authorAffinity.set(`user-${Math.floor(random() * 5_000)}`, random());
  return { authorAffinity, kindAffinity: new Map([[ItemKind.ARTICLE, 0.2], [ItemKind.VIDEO, 0.7], [ItemKind.LIVE, 0.4]]) };
}

/** Small deterministic PRNG, so every run ranks the same data. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `global.gc`, exposing it at run time when the process was not started with --expose-gc. */
function exposeGc(): () => void {
  const existing = (globalThis as { gc?: () => void }).gc;
  if (existing) return existing;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function distribution(samples: readonly number[]): Distribution {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { medianMs: round(at(0.5)), p90Ms: round(at(0.9)), minMs: round(sorted[0] ?? NaN) };
}

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? NaN;
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

const VARIANT_LABELS: Record<VariantName, string> = {
  'block-page': 'block, page',
  'block-all': 'block, all items',
  'v1-page': 'v1 messages, page',
};

export function formatRankingBenchmark(result: RankingBenchmarkResult): string {
  const p = result.inProcess;
  const ms = (d: Distribution) => `${d.medianMs} / ${d.p90Ms} ms`;
  const rows: [string, string][] = [
    ['candidates', String(result.candidates)],
    ['load average before / after', `${result.loadAverage.before.join(' ')} / ${result.loadAverage.after.join(' ')}`],
  ];
  for (const v of p.variants) {
    const label = `${VARIANT_LABELS[v.variant]} (limit ${v.limit})`;
    if (v.convert) rows.push([`${label}: v1 → columns (median / p90)`, ms(v.convert)]);
    rows.push(
      [`${label}: score (median / p90, ${p.runs} runs)`, ms(v.score)],
      [`${label}: diversify`, ms(v.diversify)],
      [`${label}: total`, `${ms(v.total)}${v.variant === 'block-page' ? ` (target ≤ ${p.targetMs} ms: ${v.total.medianMs <= p.targetMs ? 'met' : 'MISSED'})` : ''}`],
      [`${label}: total CPU time`, ms(v.totalCpu)],
      [
        `${label}: allocated per run, median (max)`,
        `${v.allocatedMB} MB (${v.allocatedMaxMB}) = convert ${v.convertAllocatedMB} + score ${v.scoreAllocatedMB} + diversify ${v.diversifyAllocatedMB}` +
          `${v.variant === 'block-page' ? ` (target ≤ ${p.targetMB} MB: ${v.allocatedMaxMB <= p.targetMB ? 'met' : 'MISSED'})` : ''}`,
      ],
      [`${label}: retained / GCs inside memory runs`, `${v.retainedMB} MB / ${v.gcsDuringRuns}`],
    );
  }
  rows.push(
    ['decode 100k block as the app does (median / p90)', `${ms(p.decodeBlock)} (${(p.blockBytes / MB).toFixed(2)} MB)`],
    ['decode 100k block with fromBinary + candidateColumns', ms(p.decodeBlockFromBinary)],
  );
  const net = result.network;
  if (net) {
    rows.push(
      [`RankBlock over gRPC, limit ${net.limit} (median / p90, ${net.runs} calls)`, `${ms(net.rankBlock.latency)} (target ≤ ${net.targetMs} ms: ${net.rankBlock.latency.medianMs <= net.targetMs ? 'met' : 'MISSED'})`],
      [`Rank over gRPC, limit ${net.limit}`, ms(net.rank.latency)],
      ['ranking server CPU per 100k call: RankBlock / Rank', `${net.rankBlock.serverCpuMsPerCall} / ${net.rank.serverCpuMsPerCall} ms`],
      ['request size: RankBlock / Rank', `${(net.rankBlock.requestBytes / MB).toFixed(2)} / ${(net.rank.requestBytes / MB).toFixed(2)} MB`],
      [
        `page of ${net.page.candidates}, limit 20: server CPU per call RankBlock / Rank (${net.page.calls} calls each)`,
        `${(net.page.rankBlock.serverCpuUsPerCall / 1000).toFixed(2)} / ${(net.page.rank.serverCpuUsPerCall / 1000).toFixed(2)} ms`,
      ],
      ['page: latency median RankBlock / Rank', `${net.page.rankBlock.latency.medianMs} / ${net.page.rank.latency.medianMs} ms`],
    );
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      candidates: { type: 'string' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'network-runs': { type: 'string' },
      limit: { type: 'string' },
      'page-calls': { type: 'string' },
      variants: { type: 'string' },
      'no-network': { type: 'boolean' },
    },
  });
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const result = await runRankingBenchmark({
    candidates: num(values.candidates),
    runs: num(values.runs),
    warmupRuns: num(values.warmup),
    networkRuns: values['no-network'] ? 0 : num(values['network-runs']),
    limit: num(values.limit),
    pageCalls: num(values['page-calls']),
    variants: values.variants?.split(',').map((v) => {
      if (!(VARIANTS as readonly string[]).includes(v)) throw new Error(`--variants: "${v}" is not one of ${VARIANTS.join(', ')}`);
      return v as VariantName;
    }),
  });
  console.log(formatRankingBenchmark(result));
  console.log(JSON.stringify(result));
}

if (require.main === module) {
  (process.argv.includes(MEMORY_CHILD_FLAG) ? memoryChildMain() : main()).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
