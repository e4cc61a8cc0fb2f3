import { runApp, type AppDefinition } from '@feedmesh/service-kit';
import { createPgPool, createRedis, FANOUT_PULL_THRESHOLD, pgPoolStats, redisTarget, waitForRedis } from '@feedmesh/storage';
import { createEngagementRoute } from './engagement/engagement-http-route.js';
import { ingestEnvSpec, outboxWorkerOptions, prepareIngestDatabase } from './env.js';
import { ingestService } from './ingest-service.js';
import { ReadModelWriteFailures } from './read-model/write-failures.js';
import { startOutboxWorkers, type OutboxWorkers } from './workers/run-outbox-workers.js';

export const ingestApp = {
  name: 'ingest',
  defaultPort: 8084,
  env: ingestEnvSpec,
  async setup({ env, logger, metrics }) {
    await prepareIngestDatabase(env);
    const pool = createPgPool({
      connectionString: env.DATABASE_URL,
      max: env.PG_POOL_MAX,
      statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS,
      applicationName: 'feedmesh-ingest',
    });
    const redis = createRedis(redisTarget(env));
    // Writes never wait for Redis: it only speeds up idempotency and feeds the read path, whose
    // updates the outbox retries. So a Redis outage at startup is logged, not fatal.
    redis.on('error', () => {});
    await waitForRedis(redis).catch((error: Error) => logger.warn({ err: error }, 'Redis unavailable; publishing goes to Postgres only'));

    let workers: OutboxWorkers | undefined;
    if (env.INGEST_RUN_WORKER) {
      workers = await startOutboxWorkers(outboxWorkerOptions(env, redis, logger));
    }
    const deps = { pool, redis, logger, readModelFailures: new ReadModelWriteFailures(logger, metrics.registry), pullThreshold: FANOUT_PULL_THRESHOLD };
    return {
      services: [ingestService(deps)],
      // Mounted by the kit beside the Connect routes (AppParts.httpRoutes).
      httpRoutes: [createEngagementRoute({ ...deps, maxBodyBytes: env.MAX_MESSAGE_BYTES })],
      // Redis is not a readiness dependency: ingest keeps accepting writes without it.
      readiness: { postgres: () => pool.query('select 1') },
      pools: () => ({ postgres: pgPoolStats(pool) }),
      close: async () => {
        await workers?.stop();
        await pool.end();
        redis.disconnect();
      },
    };
  },
} satisfies AppDefinition<typeof ingestEnvSpec>;

export function start() {
  return runApp(ingestApp);
}
