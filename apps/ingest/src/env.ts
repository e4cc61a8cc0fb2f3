import os from 'node:os';
import { FANOUT_PULL_THRESHOLD, prepareDatabase, SEEN_ITEMS_DEFAULTS, storageEnvSpec, type RedisClient } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import type { AppEnv } from '@feedmesh/service-kit';
import { bool, num, str } from 'envalid';
import { migrateOutbox, type OutboxWorkerOptions } from './workers/run-outbox-workers.js';

/** Settings of the ingest service and of its outbox workers (in-process or `dist/worker.js`). */
export const ingestEnvSpec = {
  ...storageEnvSpec,
  INGEST_RUN_WORKER: bool({ default: true, desc: 'Drain the outbox inside this process' }),
  INGEST_WORKERS: num({ default: 4, desc: 'Outbox jobs run concurrently by this process' }),
  INGEST_WORKER_INSTANCE: str({
    default: os.hostname(),
    desc: 'Name of this worker process, unique among live ones (pod name); a restart under the same name unlocks the jobs its previous incarnation held',
  }),
  INGEST_WORKER_LEASE_MS: num({ default: 60_000, desc: 'A worker process silent this long is dead: its jobs are unlocked' }),
  INGEST_WORKER_POLL_MS: num({ default: 1_000, desc: 'Job poll interval (new jobs also arrive by LISTEN/NOTIFY)' }),
  FANOUT_BATCH_SIZE: num({ default: 1_000, desc: 'Followers per fan-out job' }),
  FANOUT_BATCH_PAUSE_MS: num({ default: 0, desc: 'Pause after each fan-out batch, to cap the write rate one big fan-out puts on Redis' }),
  FOLLOW_BACKFILL_LIMIT: num({ default: 50, desc: 'Recent items of a newly followed author copied into the timeline' }),
  SHOW_LESS_PERIOD_HOURS: num({ default: 720, desc: 'How long a ShowLess, or a HIDE engagement (from its event time), lowers its item, author or topic in the viewer\'s feeds (720 h = 30 days)' }),
  SEEN_ITEMS_MAX: num({ default: SEEN_ITEMS_DEFAULTS.maxItems, desc: 'Items a viewer\'s seen set keeps (the newest VIEWs); a new session ranks unseen items first' }),
  SEEN_TTL_HOURS: num({ default: SEEN_ITEMS_DEFAULTS.ttlMs / 3_600_000, desc: 'How long a VIEW marks its item seen for the viewer (from the event time)' }),
  ENGAGEMENT_ROLLUP: str({
    choices: ['sync', 'async'],
    default: 'async',
    desc: "Where engagement moves the counters (item_stats, author and kind affinities, trending, the read model): sync, in RecordEngagement's own statement; async, in a rollup runner beside the outbox workers, from the events the request only stored and queued (no row locks shared between request batches; counters lag by the rollup, see ingest_engagement_rollup_lag_seconds)",
  }),
  ENGAGEMENT_ROLLUP_BATCH: num({ default: 20_000, desc: 'Queued events one rollup claims, aggregates per key and applies in one transaction' }),
  ENGAGEMENT_ROLLUP_IDLE_MS: num({ default: 200, desc: 'Pause of the rollup runner when the queue is empty (a full rollup is followed by the next at once)' }),
  INGEST_SPOOL_DIR: str({
    default: '',
    desc: 'Root of the engagement spool: batches accepted while Postgres is unreachable, replayed when it is back. Each process takes a slot of its own in a directory per database below it, and a restarted one adopts the slot a dead one left. Empty = feedmesh-ingest-spool-{uid} under the OS temp directory (survives a crash or restart of the process, not of a host that empties /tmp: point it at a persistent volume in production). Directories below it must be this user\'s alone',
  }),
  INGEST_SPOOL_MAX_BYTES: num({ default: 256 * 1024 * 1024, desc: 'Disk the spool may take; past it RecordEngagement answers Unavailable while Postgres is unreachable. 0 = no spool (Unavailable at once)' }),
  INGEST_SPOOL_SEGMENT_BYTES: num({ default: 8 * 1024 * 1024, desc: 'Size at which the spool starts a new segment file (a segment is deleted once replayed)' }),
};

/** The cleaned settings. */
export type IngestEnv = AppEnv<typeof ingestEnvSpec>;


/** The schema migrations, then graphile-worker's own (the outbox), when MIGRATE_ON_START says so. */
export async function prepareIngestDatabase(env: IngestEnv): Promise<void> {
  await prepareDatabase(env);
  if (env.MIGRATE_ON_START) await migrateOutbox(env.DATABASE_URL);
}

/** The outbox workers' settings, the same for the service (INGEST_RUN_WORKER) and `dist/worker.js`. */
export function outboxWorkerOptions(env: IngestEnv, redis: RedisClient, logger: Logger): OutboxWorkerOptions {
  return {
    databaseUrl: env.DATABASE_URL,
    redis,
    logger,
    concurrency: env.INGEST_WORKERS,
    instance: env.INGEST_WORKER_INSTANCE,
    leaseMs: env.INGEST_WORKER_LEASE_MS,
    pollIntervalMs: env.INGEST_WORKER_POLL_MS,
    fanoutBatchSize: env.FANOUT_BATCH_SIZE,
    fanoutBatchPauseMs: env.FANOUT_BATCH_PAUSE_MS,
    pullThreshold: FANOUT_PULL_THRESHOLD,
    backfillLimit: env.FOLLOW_BACKFILL_LIMIT,
    rollup: { batchSize: env.ENGAGEMENT_ROLLUP_BATCH, idleMs: env.ENGAGEMENT_ROLLUP_IDLE_MS },
  };
}
