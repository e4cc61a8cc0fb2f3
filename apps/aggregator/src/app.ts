import { prometheusCacheMetrics } from '@feedmesh/cache';
import { FeedService, RankingService, RecallService, RenderService } from '@feedmesh/contracts';
import { packageVersion, createServiceClient, runApp, service, type AppParts, type SetupContext } from '@feedmesh/service-kit';
import { openStorage, prepareDatabase, readModelLookupCounter } from '@feedmesh/storage';
import { feedActingUsers } from './access/acting-users.js';
import { createFeedService, type AggregatorEnv } from './create-feed-service.js';
import { aggregatorEnvSpec } from './env.js';
import { PageMetrics } from './page-metrics.js';

export const aggregatorApp = {
  name: 'aggregator',
  version: packageVersion(__dirname),
  defaultPort: 8080,
  env: aggregatorEnvSpec,
  async setup({ env, logger, metrics }: SetupContext<AggregatorEnv>): Promise<AppParts> {
    await prepareDatabase(env);
    const storage = await openStorage(env, { postgres: { applicationName: 'feedmesh-aggregator', max: 4 } });
    const { pool, redis } = storage;

    // Retries of UNAVAILABLE stay on (jittered, within the stage's deadline): a restarting
    // replica is not an outage. The breakers judge what is left after them.
    const clients = {
      recall: createServiceClient(RecallService, { address: env.RECALL_ADDR, maxRetries: 1 }),
      ranking: createServiceClient(RankingService, { address: env.RANKING_ADDR, maxRetries: 1 }),
      render: createServiceClient(RenderService, { address: env.RENDER_ADDR, maxRetries: 1 }),
    };
    const feed = createFeedService({ env, logger, clients, pool, redis, onReadModelLookup: readModelLookupCounter(metrics.registry),
      cacheMetrics: (cache) => prometheusCacheMetrics(metrics.registry, cache),
      pageMetrics: new PageMetrics(metrics.registry),
    });

    return {
      services: [service(FeedService, feed.impl, { edge: feedActingUsers })],
      // Redis only: without it no page can be served (sessions). Postgres is the users check's
      // fallback for ids Redis does not know; while it is down pages are served degraded, so it
      // must not take every replica out of the load balancer.
      readiness: { redis: storage.ping.redis },
      pools: () => ({ postgres: storage.poolStats() }),
      close: async () => {
        feed.close();
        for (const client of Object.values(clients)) client.close();
        await storage.close();
      },
    };
  },
};

export function start() {
  return runApp(aggregatorApp);
}
