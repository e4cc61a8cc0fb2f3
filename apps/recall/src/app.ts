import { RecallService } from '@feedmesh/contracts';
import { runApp, service, type AppParts, type SetupContext } from '@feedmesh/service-kit';
import type { CleanedEnv } from 'envalid';
import { createPgPool, createRedis, FANOUT_PULL_THRESHOLD, pgPoolStats, prepareDatabase, redisTarget, waitForRedis } from '@feedmesh/storage';
import { createRecallHandler, type ConfiguredSource } from './recall-handler.js';
import { recallEnvSpec } from './recall-env.js';
import { RecallMetrics } from './recall-metrics.js';
import { createFollowingSource } from './sources/following-source.js';
import { createFreshSource } from './sources/fresh-source.js';
import { createInterestSource } from './sources/interest-source.js';
import { PulledAuthors } from './sources/pulled-authors.js';
import { sharedAcrossUsers } from './sources/shared-source-cache.js';
import { createTrendingSource } from './sources/trending-source.js';

export const recallApp = {
  name: 'recall',
  defaultPort: 8081,
  env: recallEnvSpec,
  async setup({ env, logger, metrics }: SetupContext<CleanedEnv<typeof recallEnvSpec>>): Promise<AppParts> {
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

    const pulledAuthors = new PulledAuthors(pool, {
      threshold: FANOUT_PULL_THRESHOLD,
      ttlMs: env.RECALL_PULL_AUTHORS_CACHE_MS,
      maxAuthors: env.RECALL_PULL_AUTHORS_MAX,
      maxUsers: env.RECALL_PULL_CACHE_USERS,
    });
    const sources: ConfiguredSource[] = [
      {
        source: createFollowingSource({ redis, pulledAuthors, quota: env.RECALL_FOLLOWING_QUOTA, perAuthorLimit: env.RECALL_PULL_PER_AUTHOR }),
        timeoutMs: env.RECALL_FOLLOWING_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_FOLLOWING,
      },
      {
        source: sharedAcrossUsers(createTrendingSource({ redis, pool, quota: env.RECALL_TRENDING_QUOTA }), env.RECALL_SHARED_SOURCES_TTL_MS),
        timeoutMs: env.RECALL_TRENDING_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_TRENDING,
      },
      {
        source: createInterestSource({ redis, pool, quota: env.RECALL_INTEREST_QUOTA, maxTopics: env.RECALL_INTEREST_TOPICS }),
        timeoutMs: env.RECALL_INTEREST_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_INTEREST,
      },
      {
        source: sharedAcrossUsers(createFreshSource({ pool, quota: env.RECALL_FRESH_QUOTA }), env.RECALL_SHARED_SOURCES_TTL_MS),
        timeoutMs: env.RECALL_FRESH_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_FRESH,
      },
    ];
    for (const s of sources) {
      if (s.injectedDelayMs > 0) logger.warn({ source: s.source.name, delayMs: s.injectedDelayMs }, 'fault injection: recall source delayed');
    }

    const recall = createRecallHandler({
      sources,
      pool,
      hydrateTimeoutMs: env.RECALL_HYDRATE_TIMEOUT_MS,
      metrics: new RecallMetrics(metrics.registry),
      logger,
    });
    return {
      services: [service(RecallService, { recall })],
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
