import { packageVersion, runApp, withDeadline, type AppDefinition } from '@feedmesh/service-kit';
import { FANOUT_PULL_THRESHOLD, openStorage } from '@feedmesh/storage';
import { createEngagementRoute } from './engagement/engagement-http-route.js';
import { ingestEnvSpec, outboxWorkerOptions, prepareIngestDatabase } from './env.js';
import { createIngestService } from './ingest-service.js';
import { registerOutboxMetrics } from './outbox/outbox-metrics.js';
import { ReadModelWriteFailures } from './read-model/write-failures.js';
import { EngagementSpool } from './spool/engagement-spool.js';
import { startOutboxWorkers, type OutboxWorkers } from './workers/run-outbox-workers.js';

export const ingestApp = {
  name: 'ingest',
  version: packageVersion(__dirname),
  defaultPort: 8084,
  env: ingestEnvSpec,
  async setup({ env, logger, metrics, identity }) {
    await prepareIngestDatabase(env);
    const storage = await openStorage(env, {
      postgres: { applicationName: 'feedmesh-ingest', max: env.PG_POOL_MAX, statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS },
      // Writes never wait for Redis: it only speeds up idempotency and feeds the read path, whose
      // updates the outbox retries. So a Redis outage at startup is logged, not fatal.
      redis: { onUnavailableAtStart: (error) => logger.warn({ err: error }, 'Redis unavailable; publishing goes to Postgres only') },
    });
    const { redis } = storage;
    registerOutboxMetrics(metrics.registry, () => storage.outbox.backlog(), (error) => logger.warn({ err: error }, 'outbox backlog unreadable for metrics'));

    // One counter of lost read-model writes for the request path and the rollup runner alike.
    const readModelFailures = new ReadModelWriteFailures(logger, metrics.registry);
    let workers: OutboxWorkers | undefined;
    if (env.INGEST_RUN_WORKER) {
      workers = await startOutboxWorkers({ ...outboxWorkerOptions(env, redis, logger), registry: metrics.registry, readModelFailures });
    }
    const deps = {
      storage,
      redis,
      logger,
      readModelFailures,
      pullThreshold: FANOUT_PULL_THRESHOLD,
      showLessPeriodMs: env.SHOW_LESS_PERIOD_HOURS * 3_600_000,
      seenItems: { maxItems: env.SEEN_ITEMS_MAX, ttlMs: env.SEEN_TTL_HOURS * 3_600_000 },
      rollup: env.ENGAGEMENT_ROLLUP,
    };
    // Engagement accepted while Postgres is unreachable waits here, on disk, and is replayed.
    const spool =
      env.INGEST_SPOOL_MAX_BYTES > 0
        ? await EngagementSpool.open(deps, { root: env.INGEST_SPOOL_DIR, maxBytes: env.INGEST_SPOOL_MAX_BYTES, segmentBytes: env.INGEST_SPOOL_SEGMENT_BYTES, databaseUrl: env.DATABASE_URL }, metrics.registry)
        : undefined;
    const engagementDeps = { ...deps, recordEngagementBatch: spool?.record };
    return {
      services: [createIngestService(engagementDeps)],
      // Mounted by the kit beside the Connect routes (AppParts.httpRoutes).
      httpRoutes: [createEngagementRoute({ ...engagementDeps, maxBodyBytes: env.MAX_MESSAGE_BYTES, gate: identity.edge })],
      // Redis is not a readiness dependency: ingest keeps accepting writes without it. Nor is
      // Postgres alone while the spool has room: an instance taken out of its Service during an
      // outage could not spool what it exists to spool.
      readiness: { postgres: spool ? postgresOrSpool(storage.ping.postgres, spool) : storage.ping.postgres },
      pools: () => ({ postgres: storage.poolStats() }),
      close: async () => {
        // In-flight calls are done: stop replaying, let queued appends finish, release the spool.
        await spool?.close();
        await workers?.stop();
        await storage.close();
      },
    };
  },
} satisfies AppDefinition<typeof ingestEnvSpec>;

/**
 * Ready when Postgres answers, or, while it does not (refused, or no answer within
 * POSTGRES_PROBE_MS, inside the kit's 1 s probe bound), when the engagement spool can take batches.
 */
function postgresOrSpool(postgres: () => Promise<unknown>, spool: EngagementSpool): () => Promise<void> {
  return async () => {
    try {
      await withDeadline(postgres(), { timeoutMs: POSTGRES_PROBE_MS }, 'postgres readiness');
    } catch (error) {
      if (!spool.canTakeBatches) throw error;
    }
  };
}
const POSTGRES_PROBE_MS = 700;

export function start() {
  return runApp(ingestApp);
}
