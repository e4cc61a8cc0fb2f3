import { FeedService, RankingService, RecallService, RenderService } from '@feedmesh/contracts';
import { HybridLogicalClock } from '@feedmesh/feed-core';
import { createServiceClient, runApp, service, type AppDefinition, type AppParts, type SetupContext } from '@feedmesh/service-kit';
import { createPgPool, createRedis, pgPoolStats, prepareDatabase, waitForRedis } from '@feedmesh/storage';
import type { CleanedEnv } from 'envalid';
import { DownstreamBreaker, type BreakerSettings } from './downstream/downstream-breaker.js';
import { guardedDownstreams } from './downstream/feed-downstreams.js';
import { homeTimelineFallback } from './downstream/home-timeline-fallback.js';
import { aggregatorEnv } from './env.js';
import { feedService } from './feed-service.js';
import { parseCursorSecrets } from './paging/cursor-secrets.js';
import { RedisSessionStore } from './paging/redis-session-store.js';
import { postgresUsers } from './users/postgres-users.js';
import { UserDirectory } from './users/user-directory.js';

export const aggregatorApp = {
  name: 'aggregator',
  defaultPort: 8080,
  env: aggregatorEnv,
  async setup({ env, logger }: SetupContext<AggregatorEnv>): Promise<AppParts> {
    const secrets = parseCursorSecrets(env.CURSOR_SECRETS, logger);
    await prepareDatabase(env);
    const pool = createPgPool({ connectionString: env.DATABASE_URL, max: 4, applicationName: 'feedmesh-aggregator' });
    const redis = createRedis({ url: env.REDIS_URL });
    await waitForRedis(redis);

    // Retries of UNAVAILABLE stay on (jittered, within the stage's deadline): a restarting
    // replica is not an outage. The breakers judge what is left after them.
    const clients = {
      recall: createServiceClient(RecallService, { address: env.RECALL_ADDR, maxRetries: 1 }),
      ranking: createServiceClient(RankingService, { address: env.RANKING_ADDR, maxRetries: 1 }),
      render: createServiceClient(RenderService, { address: env.RENDER_ADDR, maxRetries: 1 }),
    };
    const breakerSettings: BreakerSettings = {
      errorThresholdPercentage: env.BREAKER_ERROR_PERCENT,
      volumeThreshold: env.BREAKER_VOLUME_THRESHOLD,
      resetTimeoutMs: env.BREAKER_RESET_MS,
    };
    const breakers = {
      recall: new DownstreamBreaker('recall', breakerSettings, logger),
      ranking: new DownstreamBreaker('ranking', breakerSettings, logger),
      render: new DownstreamBreaker('render', breakerSettings, logger),
    };

    const impl = feedService({
      users: new UserDirectory(postgresUsers(pool), { ttlMs: env.USER_CACHE_TTL_MS }),
      sessions: new RedisSessionStore(redis, env.FEED_SESSION_TTL_S),
      downstreams: guardedDownstreams(clients, breakers),
      recallFallback: homeTimelineFallback(redis),
      clock: new HybridLogicalClock(),
      secrets,
      settings: {
        maxDeadlineMs: env.MAX_DEADLINE_MS,
        defaultBudgetMs: env.FEED_DEFAULT_BUDGET_MS,
        recallLimit: env.FEED_RECALL_LIMIT,
        maxPages: env.FEED_MAX_PAGES,
      },
    });

    return {
      services: [service(FeedService, impl)],
      readiness: {
        postgres: () => pool.query('select 1'),
        redis: () => redis.ping(),
      },
      pools: () => ({ postgres: pgPoolStats(pool) }),
      close: async () => {
        for (const breaker of Object.values(breakers)) breaker.shutdown();
        for (const client of Object.values(clients)) client.close();
        redis.disconnect();
        await pool.end();
      },
    };
  },
};

/** The app's spec plus the kit's base setting it reads (loadConfig merges both at runtime). */
type AggregatorEnv = CleanedEnv<typeof aggregatorEnv> & { MAX_DEADLINE_MS: number };

export function start() {
  // The app's setup takes its own, narrower env type; runApp validates the spec at runtime.
  return runApp(aggregatorApp as unknown as AppDefinition);
}
