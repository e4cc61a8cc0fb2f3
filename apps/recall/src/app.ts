import { RecallService } from '@feedmesh/contracts';
import { runApp, service, type AppParts, type SetupContext } from '@feedmesh/service-kit';
import type { CleanedEnv } from 'envalid';
import { createPgPool, createRedis, pgPoolStats, prepareDatabase, ReadModel, readModelLookupCounter, redisTarget, USER_READ_MODEL_LIMITS, waitForRedis } from '@feedmesh/storage';
import { createRecallHandler, type ConfiguredSource } from './recall-handler.js';
import { recallEnvSpec } from './recall-env.js';
import { RecallMetrics } from './recall-metrics.js';
import { createFollowingSource } from './sources/following-source.js';
import { createFreshSource } from './sources/fresh-source.js';
import { createInterestSource } from './sources/interest-source.js';
import { sharedAcrossUsers } from './sources/shared-source-cache.js';
import { createSharedZsets, hydratedTopEntries } from './sources/shared-zsets.js';
import { createTrendingSource } from './sources/trending-source.js';

export const recallApp = {
  name: 'recall',
  defaultPort: 8081,
  env: recallEnvSpec,
  async setup({ env, logger, metrics: { registry } }: SetupContext<CleanedEnv<typeof recallEnvSpec>>): Promise<AppParts> {
    await prepareDatabase(env);
    const pool = createPgPool({
      connectionString: env.DATABASE_URL,
      max: env.PG_POOL_MAX,
      statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS,
      applicationName: 'feedmesh-recall',
    });
    // Fail at start rather than on the first call, and have one connection open before traffic.
    await pool.query('select 1');
    const redis = createRedis(redisTarget(env));
    // After start the client reconnects by itself; a source hitting a dead Redis reports ERROR.
    redis.on('error', () => {});
    await waitForRedis(redis);

    const metrics = new RecallMetrics(registry);
    const readModel = new ReadModel(redis, pool, {
      limits: USER_READ_MODEL_LIMITS,
      itemRecordCache: { ttlMs: env.RECALL_ITEM_RECORD_TTL_MS, max: env.RECALL_ITEM_RECORD_CACHE_MAX },
      onLookup: readModelLookupCounter(registry),
      onWriteBackError: (error) => logger.warn({ err: error }, 'read-model write-back failed'),
    });
    const sharedZsets = (depth: number) =>
      createSharedZsets({ load: hydratedTopEntries(redis, readModel), depth, ttlMs: env.RECALL_SHARED_SOURCES_TTL_MS, maxKeys: env.RECALL_SHARED_ZSETS_MAX_KEYS });
    const sources: ConfiguredSource[] = [
      {
        source: createFollowingSource({
          redis,
          authorsRecent: sharedZsets(Math.min(env.RECALL_FOLLOWING_QUOTA, env.RECALL_PULL_PER_AUTHOR)),
          quota: env.RECALL_FOLLOWING_QUOTA,
          maxPulledAuthors: env.RECALL_PULL_AUTHORS_MAX,
          perAuthorLimit: env.RECALL_PULL_PER_AUTHOR,
        }),
        timeoutMs: env.RECALL_FOLLOWING_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_FOLLOWING,
      },
      {
        source: sharedAcrossUsers(createTrendingSource({ redis, readModel, quota: env.RECALL_TRENDING_QUOTA }), env.RECALL_SHARED_SOURCES_TTL_MS),
        timeoutMs: env.RECALL_TRENDING_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_TRENDING,
      },
      {
        source: createInterestSource({ topicsRecent: sharedZsets(env.RECALL_INTEREST_QUOTA), quota: env.RECALL_INTEREST_QUOTA, maxTopics: env.RECALL_INTEREST_TOPICS }),
        timeoutMs: env.RECALL_INTEREST_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_INTEREST,
      },
      {
        source: sharedAcrossUsers(createFreshSource({ redis, pool, quota: env.RECALL_FRESH_QUOTA, onFallback: () => metrics.freshFallback() }), env.RECALL_SHARED_SOURCES_TTL_MS),
        timeoutMs: env.RECALL_FRESH_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_FRESH,
      },
    ];
    for (const s of sources) {
      if (s.injectedDelayMs > 0) logger.warn({ source: s.source.name, delayMs: s.injectedDelayMs }, 'fault injection: recall source delayed');
    }

    const handler = createRecallHandler({ sources, readModel, hydrateTimeoutMs: env.RECALL_HYDRATE_TIMEOUT_MS, metrics, logger });
    return {
      services: [service(RecallService, handler)],
      readiness: { postgres: () => pool.query('select 1'), redis: () => redis.ping() },
      pools: () => ({ postgres: pgPoolStats(pool) }),
      close: async () => {
        redis.disconnect();
        await pool.end();
      },
    };
  },
};

export function start() {
  return runApp(recallApp);
}
