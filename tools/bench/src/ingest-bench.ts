/**
 * Ingest benchmark, against a real ingest process, Postgres and Redis on this machine:
 *  1. engagement events per second stored through RecordEngagement (gRPC, batches of 5000, a
 *     share of them duplicates that must be filtered), i.e. validation + the one-statement
 *     batch store with stats and affinities; the figure to beat is the seed's 100k points/s;
 *  2. the time for one post to reach every timeline of an author with 100k followers (the author
 *     is forced to push by raising FANOUT_PULL_THRESHOLD for the spawned process), of which
 *     `--active` (a share, default 1) have a home timeline: the others are inactive (theirs
 *     expired), and the fan-out must skip them.
 *
 * Run: `npx nx build @feedmesh/ingest @feedmesh/bench && npx node tools/bench/dist/ingest-bench.js`
 * Flags: --events 500000 --batch-size 5000 --concurrency 4 --duplicates 0.1 --followers 100000
 * (0 skips the fan-out part) --active 0.2 --cpu-prof-dir DIR (V8 CPU profile of the ingest process).
 * It creates and drops its own database and flushes its Redis db (default index 14).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { EngagementType, IngestService } from '@feedmesh/contracts';
import { createServiceClient, spawnApp } from '@feedmesh/service-kit';
import { createPgPool, createRedis, dropDatabase, encodeTimelineMember, ensureDatabase, HOME_TIMELINE_PLACEHOLDER, migrate, redisKeys, waitForRedis } from '@feedmesh/storage';
import { loadAverage } from './bench-flags.js';
import { processCpuUs } from './proc-cpu.js';
import { findPostmaster, listProcesses, sampleServerCpu, serverCpuDeltaUs, type ServerCpuSample } from './server-cpu.js';

export interface IngestBenchmarkOptions {
  databaseUrl?: string;
  redisUrl?: string;
  /** Built ingest entry point. */
  ingestEntry?: string;
  /** Engagement events to send (including duplicates). */
  events?: number;
  batchSize?: number;
  /** Batches in flight at once. */
  concurrency?: number;
  /** Share of events that repeat an earlier one. */
  duplicateShare?: number;
  followers?: number;
  /** Share of the followers that are active (have a home timeline); the rest must be skipped. */
  activeShare?: number;
  fanoutBatchSize?: number;
  workers?: number;
  /** The push/pull threshold for the spawned ingest; must exceed `followers` to measure push. */
  pullThreshold?: number;
  /** Write a V8 CPU profile of the ingest process into this folder (on exit). */
  cpuProfDir?: string;
  /** Send for this long instead of `events` (batches built as they go). */
  durationMs?: number;
  /** ENGAGEMENT_ROLLUP of the spawned ingest: counters in the request (sync) or in the rollup runner (async). */
  rollup?: 'sync' | 'async';
}

export interface IngestBenchmarkResult {
  engagement: {
    sent: number;
    accepted: number;
    duplicates: number;
    rejected: number;
    /** Per RecordEngagement call, from send to answer. */
    batchLatencyMs: { p50: number; p99: number; max: number; batches: number };
    /** Rows in engagement_events afterwards: must equal `accepted`. */
    stored: number;
    seconds: number;
    acceptedPerSecond: number;
    sentPerSecond: number;
    /** CPU seconds the ingest process spent per second of the run (2 = two cores busy). */
    ingestCpuShare: number;
    /** 1-, 5- and 15-minute load averages when the run ended: the machine is shared. */
    loadAverage: string;
    rollup: 'sync' | 'async';
    /** Async: from the last accepted batch until the rollup queue was empty, and the rollups' lag (oldest event's wait) from the app's histogram. */
    rollupDrain?: { msAfterLastBatch: number; lagP50S: number | null; lagP99S: number | null; rolled: number };
    /** CPU seconds Postgres (postmaster and backends) spent per second of the run; null when it cannot be read. */
    postgresCpuShare: number | null;
  };
  /** `timelinesHolding` must equal `active`, and `inactiveWritten` (inactive followers with a timeline after the fan-out) be 0. */
  fanout?: { followers: number; active: number; msToAllTimelines: number; timelinesHolding: number; inactiveWritten: number };
}

const ITEMS = 1_000;
const USERS = 10_000;

export async function runIngestBenchmark(options: IngestBenchmarkOptions = {}): Promise<IngestBenchmarkResult> {
  const databaseUrl = options.databaseUrl ?? `postgres://postgres@127.0.0.1:5432/feedmesh_bench_ingest_${process.pid}`;
  const redisUrl = options.redisUrl ?? 'redis://127.0.0.1:6379/14';
  const entry = options.ingestEntry ?? path.resolve(__dirname, '../../../apps/ingest/dist/main.js');
  const total = options.events ?? 500_000;
  const batchSize = options.batchSize ?? 5_000;
  const concurrency = options.concurrency ?? 4;
  const duplicateShare = options.duplicateShare ?? 0.1;
  const followers = options.followers ?? 100_000;

  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const pool = createPgPool({ connectionString: databaseUrl, max: 4, statementTimeoutMs: 300_000 });
  const redis = createRedis({ url: redisUrl, commandTimeoutMs: 30_000 });
  await waitForRedis(redis);
  await redis.flushdb();
  const app = await spawnApp(
    entry,
    {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      LOG_LEVEL: 'warn',
      PG_POOL_MAX: String(concurrency + 2),
      INGEST_WORKERS: String(options.workers ?? 8),
      FANOUT_BATCH_SIZE: String(options.fanoutBatchSize ?? 1_000),
      FANOUT_PULL_THRESHOLD: String(options.pullThreshold ?? Math.max(1, followers * 10)),
      ENGAGEMENT_ROLLUP: options.rollup ?? 'sync',
      ENGAGEMENT_ROLLUP_IDLE_MS: '20',
      ...(options.cpuProfDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${options.cpuProfDir}` } : {}),
    },
    { name: 'ingest', timeoutMs: 60_000 },
  ).catch(async (error: unknown) => {
    // Nothing else is running yet: drop what was created, then fail.
    redis.disconnect();
    await pool.end();
    await dropDatabase(databaseUrl);
    throw error;
  });
  const client = createServiceClient(IngestService, { address: app.address, defaultTimeoutMs: 120_000, maxRetries: 0 });
  try {
    // Fixtures: users, one author with `followers` followers, ITEMS items to engage with.
    await pool.query(`INSERT INTO users (id, handle, display_name, follower_count)
      SELECT 'u' || g, 'u' || g, 'u' || g, 0 FROM generate_series(0, greatest($1::int, $2::int)) g`, [USERS, followers]);
    await pool.query(`INSERT INTO users (id, handle, display_name, follower_count) VALUES ('star', 'star', 'star', $1)`, [followers]);
    await pool.query(`INSERT INTO follows (follower_id, followee_id) SELECT 'u' || g, 'star' FROM generate_series(1, $1::int) g`, [followers]);
    const { rows: items } = await pool.query<{ id: string }>(
      `INSERT INTO items (kind, author_id, payload) SELECT 1, 'u0', '{"title":"t","body":"b","cover_url":""}' FROM generate_series(1, $1::int) RETURNING id`,
      [ITEMS],
    );
    await pool.query('ANALYZE');

    // 1. Engagement throughput.
    const now = Date.now();
    const eventAt = (n: number) => {
      const k = Math.random() < duplicateShare && n > 0 ? Math.floor(Math.random() * n) : n;
      return {
        userId: `u${1 + (k % USERS)}`,
        itemId: items[k % ITEMS]!.id,
        type: ((k % 5) + 1) as EngagementType,
        // One millisecond per event back from a minute ago: no two events share a natural key
        // unless they are meant to (6M events reach 100 min back, well inside the 7 days allowed).
        occurredAt: timestampFromMs(now - 60_000 - k),
        dwellMs: k % 10_000,
      };
    };
    // Batches are built as they are sent (a 60 s run at 100k/s would not fit in memory up front):
    // `total` events, or as many as `durationMs` allows when it is set.
    let accepted = 0;
    let duplicates = 0;
    let rejected = 0;
    let sent = 0;
    const batchMs: number[] = [];
    const cpuBefore = processCpuUs(app.child.pid!) ?? 0;
    const postgresBefore = postgresCpuUs();
    const began = performance.now();
    const more = () => (options.durationMs !== undefined ? performance.now() - began < options.durationMs : sent < total);
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (more()) {
          const start = sent;
          const size = options.durationMs !== undefined ? batchSize : Math.min(batchSize, total - start);
          sent += size;
          const events = Array.from({ length: size }, (_, i) => eventAt(start + i));
          const sentAt = performance.now();
          const response = await client.recordEngagement({ events });
          batchMs.push(performance.now() - sentAt);
          accepted += response.accepted;
          duplicates += response.duplicates;
          rejected += response.rejected;
        }
      }),
    );
    const seconds = (performance.now() - began) / 1000;
    batchMs.sort((a, b) => a - b);
    const batchLatencyMs = { p50: batchMs[Math.floor(batchMs.length * 0.5)] ?? 0, p99: batchMs[Math.min(batchMs.length - 1, Math.floor(batchMs.length * 0.99))] ?? 0, max: batchMs.at(-1) ?? 0, batches: batchMs.length };
    const ingestCpuShare = ((processCpuUs(app.child.pid!) ?? 0) - cpuBefore) / 1e6 / seconds;
    const postgresUs = serverCpuDeltaUs(postgresBefore, postgresCpuUs());
    const postgresCpuShare = postgresUs === undefined ? null : postgresUs / 1e6 / seconds;
    const rollupDrain = options.rollup === 'async' ? await drainRollup(pool, app.address, performance.now()) : undefined;
    const { rows: storedRows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM engagement_events');
    const engagement = {
      sent,
      accepted,
      duplicates,
      rejected,
      stored: storedRows[0]!.n,
      seconds,
      acceptedPerSecond: accepted / seconds,
      sentPerSecond: sent / seconds,
      batchLatencyMs,
      ingestCpuShare,
      loadAverage: loadAverage(),
      rollup: options.rollup ?? 'sync',
      rollupDrain,
      postgresCpuShare,
    };
    if (followers === 0) return { engagement };

    // 2. Fan-out to `followers` timelines, of which the active ones exist (as a read leaves them).
    const activeShare = options.activeShare ?? 1;
    const isActive = (g: number) => g % 100 < Math.round(activeShare * 100);
    for (let start = 1; start <= followers; start += 10_000) {
      const pipeline = redis.pipeline();
      for (let g = start; g < Math.min(start + 10_000, followers + 1); g++) if (isActive(g)) pipeline.zadd(redisKeys.homeTimeline(`u${g}`), 0, HOME_TIMELINE_PLACEHOLDER);
      await pipeline.exec();
    }
    const published = performance.now();
    const { itemId } = await client.publish({ requestId: 'bench-fanout', authorId: 'star', payload: { case: 'article', value: { title: 'Fan-out', body: 'b', coverUrl: '' } } });
    const member = encodeTimelineMember({ id: itemId, kind: 1, authorId: 'star' });
    // The outbox is drained when graphile-worker holds no job; then count the timelines once.
    await sleep(50);
    await untilEmpty(pool, 'graphile_worker._private_jobs', published, 'fan-out');
    const msToAllTimelines = performance.now() - published;
    let holding = 0;
    let active = 0;
    let inactiveWritten = 0;
    for (let start = 1; start <= followers; start += 10_000) {
      const pipeline = redis.pipeline();
      const ids: number[] = [];
      for (let g = start; g < Math.min(start + 10_000, followers + 1); g++) {
        ids.push(g);
        pipeline.zscore(redisKeys.homeTimeline(`u${g}`), member);
      }
      const scores = (await pipeline.exec())!;
      ids.forEach((g, i) => {
        const held = scores[i]![1] !== null;
        if (isActive(g)) {
          active++;
          if (held) holding++;
        } else if (held) inactiveWritten++;
      });
    }
    return { engagement, fanout: { followers, active, msToAllTimelines, timelinesHolding: holding, inactiveWritten } };
  } catch (error) {
    // The service hides internal errors from callers; its log says what went wrong.
    console.error(app.logs.slice(-5).join('\n'));
    throw error;
  } finally {
    client.close();
    await app.stop();
    await redis.flushdb().catch(() => {});
    redis.disconnect();
    await pool.end();
    await dropDatabase(databaseUrl);
  }
}

/** Polls every 20 ms until `table` holds no row; fails when `what` takes more than 10 minutes from `since` (performance.now()). */
async function untilEmpty(pool: ReturnType<typeof createPgPool>, table: string, since: number, what: string): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    if (rows[0]!.n === 0) return;
    if (performance.now() - since > 600_000) throw new Error(`${what} did not finish within 10 minutes`);
    await sleep(20);
  }
}

/** Waits until the rollup queue is empty; the lag quantiles come from the app's histogram buckets (upper bounds). */
async function drainRollup(pool: ReturnType<typeof createPgPool>, address: string, lastBatchAt: number): Promise<NonNullable<IngestBenchmarkResult['engagement']['rollupDrain']>> {
  await untilEmpty(pool, 'engagement_rollup_queue', lastBatchAt, 'rollup');
  const msAfterLastBatch = performance.now() - lastBatchAt;
  const text = await (await fetch(`http://${address}/metrics`)).text();
  const buckets = [...text.matchAll(/^ingest_engagement_rollup_lag_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\d+)/gm)].map(([, le, n]) => [le === '+Inf' ? Infinity : Number(le), Number(n)] as const);
  const count = buckets.at(-1)?.[1] ?? 0;
  const quantile = (q: number) => (count === 0 ? null : (buckets.find(([, n]) => n >= q * count)?.[0] ?? null));
  const rolled = Number(/^ingest_engagement_rolled_up_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? 0);
  return { msAfterLastBatch, lagP50S: quantile(0.5), lagP99S: quantile(0.99), rolled };
}

/** The Postgres server's tree CPU so far (postmaster, its backends, the children it reaped), µs; null when it cannot be found. */
function postgresCpuUs(): ServerCpuSample | undefined {
  const postmaster = findPostmaster(listProcesses(), 5432);
  return postmaster && sampleServerCpu(postmaster.stat.pid);
}

function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)$/.exec(text);
  if (!match) throw new Error(`--duration must look like 500ms, 60s or 2m, got "${text}"`);
  return Number(match[1]) * { ms: 1, s: 1_000, m: 60_000 }[match[2] as 'ms' | 's' | 'm'];
}

function optionsFromArgs(argv: string[]): IngestBenchmarkOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      events: { type: 'string' },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
      duplicates: { type: 'string' },
      followers: { type: 'string' },
      active: { type: 'string' },
      'cpu-prof-dir': { type: 'string' },
      rollup: { type: 'string' },
      duration: { type: 'string' },
    },
  });
  if (values.rollup !== undefined && values.rollup !== 'sync' && values.rollup !== 'async') throw new Error(`--rollup must be sync or async, got "${values.rollup}"`);
  const number = (text: string | undefined) => (text === undefined ? undefined : Number(text));
  return {
    events: number(values.events),
    batchSize: number(values['batch-size']),
    concurrency: number(values.concurrency),
    duplicateShare: number(values.duplicates),
    followers: number(values.followers),
    activeShare: number(values.active),
    cpuProfDir: values['cpu-prof-dir'] && path.resolve(values['cpu-prof-dir']),
    rollup: values.rollup as 'sync' | 'async' | undefined,
    durationMs: values.duration === undefined ? undefined : parseDuration(values.duration),
  };
}

if (require.main === module) {
  runIngestBenchmark(optionsFromArgs(process.argv.slice(2))).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
