// The GetFeed pipeline in one process: recall, ranking and render built by their apps' own
// setup(), and the aggregator's FeedService built by its createFeedService() (as its setup()
// does), with direct-call clients to those implementations instead of gRPC ones
// (in-process-client.ts).
//
// Load this module only after startTelemetry(): it loads pg and ioredis.
import type { DescService } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { FeedService, RankingService, RecallService, RenderService } from '@feedmesh/contracts';
import { createFeedService, type AggregatorEnv } from '@feedmesh/aggregator/dist/create-feed-service.js';
import { aggregatorEnvSpec } from '@feedmesh/aggregator/dist/env.js';
import { rankingApp } from '@feedmesh/ranking/dist/app.js';
import { recallApp } from '@feedmesh/recall/dist/app.js';
import { renderApp } from '@feedmesh/render/dist/app.js';
import { loadConfig, ServiceMetrics, type AppParts, type EnvSpec } from '@feedmesh/service-kit';
import { createPgPool, createRedis, waitForRedis } from '@feedmesh/storage';
import { createLogger } from '@feedmesh/telemetry';
import { createInProcessClient } from './in-process-client.js';

export interface InProcessFeed {
  getFeed: ServiceImpl<typeof FeedService>['getFeed'];
  close(): Promise<void>;
}

interface LeafApp {
  name: string;
  defaultPort: number;
  env: EnvSpec;
  setup(context: never): Promise<AppParts> | AppParts;
}

async function setUpLeaf(app: LeafApp, env: NodeJS.ProcessEnv): Promise<AppParts> {
  const context = {
    env: loadConfig(app.env, app.defaultPort, env),
    logger: createLogger(app.name, { level: env.LOG_LEVEL }),
    metrics: new ServiceMetrics(app.name),
  };
  return app.setup(context as never);
}

function implOf<S extends DescService>(parts: AppParts, service: S): ServiceImpl<S> {
  const registration = parts.services.find((s) => s.service.typeName === service.typeName);
  if (registration === undefined) throw new Error(`the app does not serve ${service.typeName}`);
  return registration.impl as ServiceImpl<S>;
}

export async function createInProcessFeed(options: { databaseUrl: string; redisUrl: string }): Promise<InProcessFeed> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    MIGRATE_ON_START: 'false',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
  };
  const leaves = await Promise.all([recallApp, rankingApp, renderApp].map((app) => setUpLeaf(app as unknown as LeafApp, env)));
  const [recall, ranking, render] = leaves as [AppParts, AppParts, AppParts];
  const clients = {
    recall: createInProcessClient(RecallService, implOf(recall, RecallService)),
    ranking: createInProcessClient(RankingService, implOf(ranking, RankingService)),
    render: createInProcessClient(RenderService, implOf(render, RenderService)),
  };

  // As apps/aggregator/src/app.ts setup() does, minus migration and the gRPC clients.
  const config = loadConfig(aggregatorEnvSpec, 8080, env) as unknown as AggregatorEnv;
  const logger = createLogger('aggregator', { level: env.LOG_LEVEL });
  const pool = createPgPool({ connectionString: config.DATABASE_URL, max: 4, applicationName: 'feedmesh-aggregator' });
  const redis = createRedis({ url: config.REDIS_URL });
  await waitForRedis(redis);
  const feed = createFeedService({ env: config, logger, clients, pool, redis });

  return {
    getFeed: feed.impl.getFeed.bind(feed.impl),
    close: async () => {
      feed.close();
      redis.disconnect();
      await pool.end();
      await Promise.all(leaves.map((parts) => parts.close?.()));
    },
  };
}
