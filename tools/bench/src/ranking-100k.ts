// Benchmark: ranking 100,000 candidates.
//   (a) in-process: feed-core's scoreCandidates + diversify over decoded Candidate messages —
//       wall time (median / p90 after warm-up) and memory (heap and ArrayBuffer deltas, peak and
//       retained) against the seed's figure to beat: 32 MB for sorting 100k items.
//   (b) network: one RankingService/Rank call carrying 100k candidates to a spawned ranking app
//       (request size, end-to-end latency).
// Run: `npx node tools/bench/dist/ranking-100k.js [--runs 20] [--warmup 3] [--network-runs 5]
//       [--candidates 100000] [--limit 50] [--no-network]` (needs the built ranking app and Postgres
//       at DATABASE_URL's server for (b): it ranks against a throwaway database it drops after).
import { fork } from 'node:child_process';
import path from 'node:path';
import { PerformanceObserver, constants as perfConstants, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { create, toBinary, toJsonString } from '@bufbuild/protobuf';
import { CandidateSchema, ItemKind, RankingService, RankRequestSchema, type Candidate } from '@feedmesh/contracts';
import { defaultModelConfig, diversify, scoreCandidates, type DiversityRules, type UserFeatures } from '@feedmesh/feed-core';
import { createServiceClient, spawnApp } from '@feedmesh/service-kit';
import { dropDatabase } from '@feedmesh/storage';

export interface RankingBenchmarkOptions {
  /** Candidates per ranking (default 100,000). */
  candidates?: number;
  /** Measured in-process runs (default 20), after `warmupRuns` (default 3). */
  runs?: number;
  warmupRuns?: number;
  /** Rank calls measured over the network (default 5, after one warm-up call); 0 skips part (b). */
  networkRuns?: number;
  /** RankRequest.limit of the network calls (default 50, one feed page); 0 returns every item. */
  limit?: number;
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

export interface RankingBenchmarkResult {
  benchmark: 'ranking-100k';
  node: string;
  candidates: number;
  inProcess: {
    runs: number;
    score: Distribution;
    diversify: Distribution;
    total: Distribution;
    /**
     * Largest growth over the baseline (after a full GC) seen at the stage boundaries of a run
     * during which V8 collected nothing: all the ranking allocated, garbage included. Medians
     * over the runs.
     */
    peakHeapMB: number;
    peakArrayBuffersMB: number;
    peakTotalMB: number;
    /** The largest per-run total (a run that hit less optimised code allocates more). */
    peakTotalMaxMB: number;
    /** Of the total: allocated by scoreCandidates, and by diversify after it. */
    scoreAllocatedMB: number;
    diversifyAllocatedMB: number;
    /** Still held once the result is kept and garbage collected. */
    retainedTotalMB: number;
    /** Collections V8 ran by itself inside the memory runs; 0 makes the peak exact (else understated). */
    gcsDuringRuns: number;
    /** Heap of the 100k decoded candidates themselves (the input, not counted above). */
    inputHeapMB: number;
    seedFigureMB: number;
    beatsSeed: boolean;
  };
  network?: {
    runs: number;
    limit: number;
    requestBytes: number;
    requestJsonBytes: number;
    latency: Distribution;
    itemsReturned: number;
    modelVersion: string;
  };
}

/** The seed's figure: "sorting 100k items took 89 MB in NumPy and 32 MB after the rewrite". */
const SEED_FIGURE_MB = 32;
const NOW_MS = 1_750_000_000_000;
const MB = 1024 * 1024;
/** The ranking app's default rules (DIVERSITY_* env, model/default-model.json). */
const RULES: DiversityRules = { maxSameKindRun: 3, maxSameAuthorRun: 2 };
const LOOKAHEAD = 100;

export async function runRankingBenchmark(options: RankingBenchmarkOptions = {}): Promise<RankingBenchmarkResult> {
  const n = options.candidates ?? 100_000;
  const runs = options.runs ?? 20;
  const warmupRuns = options.warmupRuns ?? 3;
  const candidates = makeCandidates(n);

  const timing = measureTiming(candidates, makeUser(), runs, warmupRuns);
  const memory = await measureMemoryInChild(n, runs, warmupRuns);
  const result: RankingBenchmarkResult = {
    benchmark: 'ranking-100k',
    node: process.version,
    candidates: n,
    inProcess: { runs, ...timing, ...memory, seedFigureMB: SEED_FIGURE_MB, beatsSeed: memory.peakTotalMaxMB < SEED_FIGURE_MB },
  };

  const networkRuns = options.networkRuns ?? 5;
  if (networkRuns > 0) result.network = await measureNetwork(candidates, networkRuns, options);
  return result;
}

/** One ranking as the app does it for limit = 0: score everything, diversify everything. */
function rankOnce(candidates: readonly Candidate[], user: UserFeatures) {
  const keys = { kindOf: (i: number) => candidates[i]!.item?.kind, authorOf: (i: number) => candidates[i]!.item?.authorId };
  const t0 = performance.now();
  const scored = scoreCandidates(candidates, user, defaultModelConfig, NOW_MS);
  const t1 = performance.now();
  const afterScore = process.memoryUsage();
  const picked = diversify(Array.from(scored.order), RULES, keys, { lookahead: LOOKAHEAD });
  const t2 = performance.now();
  const afterDiversify = process.memoryUsage();
  if (picked.length !== candidates.length || scored.order.length !== candidates.length) throw new Error('ranking lost items');
  return { scored, picked, scoreMs: t1 - t0, diversifyMs: t2 - t1, samples: [afterScore, afterDiversify] };
}

/** Wall time in this process, with Node's default heap configuration (scavenges included). */
function measureTiming(candidates: readonly Candidate[], user: UserFeatures, runs: number, warmupRuns: number) {
  for (let i = 0; i < warmupRuns; i++) rankOnce(candidates, user);
  const score: number[] = [];
  const div: number[] = [];
  const total: number[] = [];
  for (let r = 0; r < runs; r++) {
    const run = rankOnce(candidates, user);
    score.push(run.scoreMs);
    div.push(run.diversifyMs);
    total.push(run.scoreMs + run.diversifyMs);
  }
  return { score: distribution(score), diversify: distribution(div), total: distribution(total) };
}

type MemoryFigures = Pick<
  RankingBenchmarkResult['inProcess'],
  'peakHeapMB' | 'peakArrayBuffersMB' | 'peakTotalMB' | 'peakTotalMaxMB' | 'scoreAllocatedMB' | 'diversifyAllocatedMB' | 'retainedTotalMB' | 'gcsDuringRuns' | 'inputHeapMB'
>;

/**
 * Memory is measured in a child whose young generation is large enough that V8 collects nothing
 * inside a run: JavaScript is single-threaded, so nothing can sample *inside* the synchronous
 * scoring call, but with no collection in between, the growth seen at the stage boundaries is
 * everything the ranking allocated (garbage included), i.e. an upper bound on its true peak.
 */
const MEMORY_CHILD_FLAG = '--ranking-memory-child';
const MEMORY_CHILD_SEMI_SPACE_MB = 128;

function measureMemoryInChild(n: number, runs: number, warmupRuns: number): Promise<MemoryFigures> {
  const child = fork(__filename, [MEMORY_CHILD_FLAG, JSON.stringify({ n, runs, warmupRuns })], {
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
  const { n, runs, warmupRuns } = JSON.parse(process.argv[process.argv.indexOf(MEMORY_CHILD_FLAG) + 1]!) as { n: number; runs: number; warmupRuns: number };
  const gc = exposeGc();
  gc();
  const beforeInput = process.memoryUsage().heapUsed;
  const candidates = makeCandidates(n);
  const user = makeUser();
  gc();
  const inputHeapMB = (process.memoryUsage().heapUsed - beforeInput) / MB;
  for (let i = 0; i < warmupRuns; i++) rankOnce(candidates, user);

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

  const heap: number[] = [];
  const buffers: number[] = [];
  const total: number[] = [];
  const scoreAllocated: number[] = [];
  const diversifyAllocated: number[] = [];
  let retained = 0;
  const totalOf = (m: NodeJS.MemoryUsage) => m.heapUsed + m.arrayBuffers;
  for (let r = 0; r < runs; r++) {
    gc();
    gc();
    const base = process.memoryUsage();
    const start = performance.now();
    const run = rankOnce(candidates, user);
    windows.push([start, performance.now()]);
    heap.push(Math.max(...run.samples.map((m) => m.heapUsed - base.heapUsed)));
    buffers.push(Math.max(...run.samples.map((m) => m.arrayBuffers - base.arrayBuffers)));
    total.push(Math.max(...run.samples.map((m) => totalOf(m) - totalOf(base))));
    const [afterScore, afterDiversify] = run.samples as [NodeJS.MemoryUsage, NodeJS.MemoryUsage];
    scoreAllocated.push(totalOf(afterScore) - totalOf(base));
    diversifyAllocated.push(totalOf(afterDiversify) - totalOf(afterScore));
    gc();
    retained = Math.max(retained, totalOf(process.memoryUsage()) - totalOf(base));
    // The result stays referenced until here, so `retained` is what a caller holding it pays.
    if (run.picked[0] === undefined) throw new Error('empty ranking');
  }
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  const figures: MemoryFigures = {
    peakHeapMB: round(median(heap) / MB),
    peakArrayBuffersMB: round(median(buffers) / MB),
    peakTotalMB: round(median(total) / MB),
    peakTotalMaxMB: round(Math.max(...total) / MB),
    scoreAllocatedMB: round(median(scoreAllocated) / MB),
    diversifyAllocatedMB: round(median(diversifyAllocated) / MB),
    retainedTotalMB: round(retained / MB),
    gcsDuringRuns: gcStarts.filter((t) => windows.some(([a, b]) => t >= a && t <= b)).length,
    inputHeapMB: round(inputHeapMB),
  };
  process.send!(figures);
}

async function measureNetwork(candidates: Candidate[], runs: number, options: RankingBenchmarkOptions): Promise<NonNullable<RankingBenchmarkResult['network']>> {
  const limit = options.limit ?? 50;
  const entry = options.rankingEntry ?? path.resolve(__dirname, '../../../apps/ranking/dist/main.js');
  const server = new URL(options.postgresUrl ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/feedmesh');
  server.pathname = `/feedmesh_bench_ranking_${Date.now().toString(36)}`;
  const databaseUrl = server.toString();

  const request = create(RankRequestSchema, { userId: 'bench-user', candidates, limit, nowMs: BigInt(NOW_MS) });
  const requestBytes = toBinary(RankRequestSchema, request).length;
  const requestJsonBytes = Buffer.byteLength(toJsonString(RankRequestSchema, request));

  const app = await spawnApp(entry, { DATABASE_URL: databaseUrl, MIGRATE_ON_START: 'true', LOG_LEVEL: 'warn' }, { name: 'ranking', timeoutMs: 60_000 });
  const client = createServiceClient(RankingService, { address: app.address, defaultTimeoutMs: 60_000, maxRetries: 0, maxMessageBytes: 64 * MB });
  try {
    let last = await client.rank(request); // warm-up: JIT, pools, the user's features cache
    const latency: number[] = [];
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      last = await client.rank(request);
      latency.push(performance.now() - t0);
    }
    return { runs, limit, requestBytes, requestJsonBytes, latency: distribution(latency), itemsReturned: last.items.length, modelVersion: last.modelVersion };
  } finally {
    client.close();
    await app.stop();
    await dropDatabase(databaseUrl);
  }
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

export function formatRankingBenchmark(result: RankingBenchmarkResult): string {
  const p = result.inProcess;
  const rows: [string, string][] = [
    ['candidates', String(result.candidates)],
    [`scoreCandidates (median / p90, ${p.runs} runs)`, `${p.score.medianMs} / ${p.score.p90Ms} ms`],
    ['diversify, all items (median / p90)', `${p.diversify.medianMs} / ${p.diversify.p90Ms} ms`],
    ['score + diversify (median / p90)', `${p.total.medianMs} / ${p.total.p90Ms} ms`],
    ['allocated per run, no GC: heap / ArrayBuffers / total (median)', `${p.peakHeapMB} / ${p.peakArrayBuffersMB} / ${p.peakTotalMB} MB (max ${p.peakTotalMaxMB})`],
    ['  of which scoreCandidates / diversify', `${p.scoreAllocatedMB} / ${p.diversifyAllocatedMB} MB`],
    ['retained after GC (result held)', `${p.retainedTotalMB} MB`],
    ['seed figure to beat (sorting 100k)', `${p.seedFigureMB} MB → ${p.beatsSeed ? 'beaten' : 'NOT beaten'} by the largest allocated total`],
    ['input: 100k decoded candidates', `${p.inputHeapMB} MB heap`],
    ['V8 GCs inside memory runs (0 = exact)', String(p.gcsDuringRuns)],
  ];
  const net = result.network;
  if (net) {
    rows.push(
      ['Rank request size (binary / JSON)', `${(net.requestBytes / MB).toFixed(2)} / ${(net.requestJsonBytes / MB).toFixed(2)} MB`],
      [`Rank over gRPC, limit ${net.limit} (median / p90, ${net.runs} runs)`, `${net.latency.medianMs} / ${net.latency.p90Ms} ms`],
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
