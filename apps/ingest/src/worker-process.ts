import { createLogger } from '@feedmesh/telemetry';
import { loadConfig } from '@feedmesh/service-kit';
import { createRedis, redisTarget } from '@feedmesh/storage';
import { ingestEnvSpec, outboxWorkerOptions, prepareIngestDatabase } from './env.js';
import { startOutboxWorkers } from './workers/run-outbox-workers.js';

/**
 * The outbox workers without the RPC server: same settings as the service (INGEST_WORKERS,
 * INGEST_WORKER_INSTANCE, ...). Run the service with INGEST_RUN_WORKER=false when using it.
 * Stops gracefully on SIGTERM/SIGINT (running jobs finish; the rest stay queued).
 */
export async function startWorkerProcess(): Promise<void> {
  const env = loadConfig(ingestEnvSpec, 0);
  const logger = createLogger('ingest-worker', { level: env.LOG_LEVEL });
  try {
    await prepareIngestDatabase(env);
    const redis = createRedis(redisTarget(env));
    redis.on('error', () => {});
    const workers = await startOutboxWorkers(outboxWorkerOptions(env, redis, logger));
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        logger.info({ signal }, 'stopping outbox workers');
        void workers.stop().then(
          () => {
            redis.disconnect();
            process.exit(0);
          },
          (error: unknown) => {
            logger.error({ err: error }, 'worker shutdown failed');
            process.exit(1);
          },
        );
      });
    }
  } catch (error) {
    logger.fatal({ err: error }, 'outbox worker failed to start');
    process.exit(1);
  }
}
