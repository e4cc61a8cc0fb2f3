// The GetFeed pipeline in one process: recall, ranking and render built by their apps' own
// setup(), and the aggregator composed from its modules the way its setup() does, except that
// its three downstream clients call those implementations directly (in-process-client.ts).
//
// Why not aggregatorApp.setup(): it builds its gRPC clients itself from RECALL_ADDR etc. and
// offers no way to pass other clients in. This file repeats its ~30 lines of wiring instead;
// if apps/aggregator ever exposes `createFeedServiceParts({ env, logger, clients })`, use that.
//
// Load this module only after startTelemetry(): it loads pg and ioredis.
import type { DescService } from '@bufbuild/protobuf';
import type { ServiceImpl } from '@connectrpc/connect';
import { FeedService, RankingService, RecallService, RenderService } from '@feedmesh/contracts';
import { aggregatorEnv } from '@feedmesh/aggregator/dist/env.js';
import { DownstreamBreaker } from '@feedmesh/aggregator/dist/downstream/downstream-breaker.js';
import { guardedDownstreams } from '@feedmesh/aggregator/dist/downstream/feed-downstreams.js';
import { homeTimelineFallback } from '@feedmesh/aggregator/dist/downstream/home-timeline-fallback.js';
import { feedService } from '@feedmesh/aggregator/dist/feed-service.js';
import { parseCursorSecrets } from '@feedmesh/aggregator/dist/paging/cursor-secrets.js';
import { RedisSessionStore } from '@feedmesh/aggregator/dist/paging/redis-session-store.js';
import { postgresUsers } from '@feedmesh/aggregator/dist/users/postgres-users.js';
import { UserDirectory } from '@feedmesh/aggregator/dist/users/user-directory.js';
import { HybridLogicalClock } from '@feedmesh/feed-core';
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

  // As in apps/aggregator/src/app.ts setup(), minus migration and the gRPC clients.
  const config = loadConfig(aggregatorEnv, 8080, env);
  const logger = createLogger('aggregator', { level: env.LOG_LEVEL });
  const pool = createPgPool({ connectionString: config.DATABASE_URL, max: 4, applicationName: 'feedmesh-aggregator' });
  const redis = createRedis({ url: config.REDIS_URL });
  await waitForRedis(redis);
  const breakerSettings = {
    errorThresholdPercentage: config.BREAKER_ERROR_PERCENT,
    volumeThreshold: config.BREAKER_VOLUME_THRESHOLD,
    resetTimeoutMs: config.BREAKER_RESET_MS,
  };
  const breakers = {
    recall: new DownstreamBreaker('recall', breakerSettings, logger),
    ranking: new DownstreamBreaker('ranking', breakerSettings, logger),
    render: new DownstreamBreaker('render', breakerSettings, logger),
  };
  const impl = feedService({
    users: new UserDirectory(postgresUsers(pool), { ttlMs: config.USER_CACHE_TTL_MS }),
    sessions: new RedisSessionStore(redis, config.FEED_SESSION_TTL_S),
    downstreams: guardedDownstreams(clients, breakers),
    recallFallback: homeTimelineFallback(redis),
    clock: new HybridLogicalClock(),
    secrets: parseCursorSecrets(config.CURSOR_SECRETS, logger),
    settings: {
      maxDeadlineMs: config.MAX_DEADLINE_MS,
      defaultBudgetMs: config.FEED_DEFAULT_BUDGET_MS,
      recallLimit: config.FEED_RECALL_LIMIT,
      maxPages: config.FEED_MAX_PAGES,
    },
  });

  return {
    getFeed: impl.getFeed.bind(impl),
    close: async () => {
      for (const breaker of Object.values(breakers)) breaker.shutdown();
      redis.disconnect();
      await pool.end();
      await Promise.all(leaves.map((parts) => parts.close?.()));
    },
  };
}
