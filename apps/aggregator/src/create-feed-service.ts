// The aggregator's FeedService with its parts wired (breakers, users, sessions, fallback), given
// downstream clients from outside: the app passes gRPC clients, the in-process benchmark passes
// direct-call ones, and both get the same service.
import type { CacheMetrics } from '@feedmesh/cache';
import type { ServiceImpl } from '@connectrpc/connect';
import type { FeedService } from '@feedmesh/contracts';
import { HybridLogicalClock } from '@feedmesh/feed-core';
import { ReadModel, USER_READ_MODEL_LIMITS, type RedisClient } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import type { CleanedEnv } from 'envalid';
import type { Pool } from 'pg';
import { debugAccessFromSetting } from './access/debug-access.js';
import { DownstreamBreaker, type BreakerSettings } from './downstream/downstream-breaker.js';
import { guardedDownstreams, type DownstreamClients } from './downstream/feed-downstreams.js';
import type { aggregatorEnvSpec } from './env.js';
import { feedService } from './feed-service.js';
import { feedCatalog } from './feeds/feed-catalog.js';
import { parseCursorSecrets } from './paging/cursor-secrets.js';
import { PagingSession } from './paging/paging-session.js';
import { RedisSessionStore } from './paging/redis-session-store.js';
import { createItemExplainer } from './explain/explain-feed-item.js';
import { createNewItemsCounter } from './new-items/count-new-items.js';
import type { PageMetrics } from './page-metrics.js';
import type { FeedRun } from './pipeline/components.js';
import { createPipelineRunner, type RunnerSettings } from './pipeline/run-pipeline.js';
import { readModelUsers } from './users/read-model-users.js';
import { UserDirectory } from './users/user-directory.js';

export type AggregatorEnv = CleanedEnv<typeof aggregatorEnvSpec>;

export interface FeedServiceParts {
  env: AggregatorEnv;
  logger: Logger;
  clients: DownstreamClients;
  pool: Pool;
  redis: RedisClient;
  /** Told about every read-model lookup (the users check), for metrics. */
  onReadModelLookup?: ConstructorParameters<typeof ReadModel>[2]['onLookup'];
  /** Counters for a named in-process cache (the app's Prometheus registry). */
  cacheMetrics?: (cache: string) => CacheMetrics;
  /** Per-page series (degraded reasons, stage budgets) in the app's registry. */
  pageMetrics?: PageMetrics;
}

export interface CreatedFeedService {
  impl: ServiceImpl<typeof FeedService>;
  /** Stops the breakers' timers; the clients, pool and Redis belong to the caller. */
  close(): void;
}

export function createFeedService({ env, logger, clients, pool, redis, onReadModelLookup, cacheMetrics, pageMetrics }: FeedServiceParts): CreatedFeedService {
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
  const readModel = new ReadModel(redis, pool, {
    limits: USER_READ_MODEL_LIMITS,
    ...(onReadModelLookup ? { onLookup: onReadModelLookup } : {}),
    onWriteBackError: (error) => logger.warn({ err: error }, 'read-model write-back failed'),
  });
  const paging = new PagingSession({
    users: new UserDirectory(readModelUsers(redis, readModel), { ttlMs: env.USER_CACHE_TTL_MS, metrics: cacheMetrics?.('aggregator_users') }),
    sessions: new RedisSessionStore(redis, env.FEED_SESSION_TTL_S),
    secrets: parseCursorSecrets({ raw: env.CURSOR_SECRETS, production: env.NODE_ENV === 'production', logger }),
    clock: new HybridLogicalClock(),
    maxPages: env.FEED_MAX_PAGES,
    onUserLookupError: (error) => logger.warn({ err: error }, 'users lookup failed: serving the page degraded (users: unavailable)'),
  });
  const feeds = feedCatalog({ downstreams: guardedDownstreams(clients, breakers), redis, paging, recallLimit: env.FEED_RECALL_LIMIT });
  const settings: RunnerSettings = {
    rankWindow: env.FEED_RANK_WINDOW,
    maxTopUps: 2,
    seenItems: env.SEEN_ITEMS,
    ...(pageMetrics ? { onPageServed: (feed: string, run: FeedRun) => pageMetrics.pageServed(feed, run) } : {}),
  };
  const runners = new Map([...feeds].map(([id, feed]) => [id, {
        servePage: createPipelineRunner(feed, paging, settings),
        countNewItems: createNewItemsCounter(feed, paging),
        explainFeedItem: createItemExplainer(feed, paging, settings),
      },]));
  const impl = feedService(runners, {
    defaultBudgetMs: env.FEED_DEFAULT_BUDGET_MS,
    debugAccess: debugAccessFromSetting(env.FEED_DEBUG),
  });
  return {
    impl,
    close: () => {
      for (const breaker of Object.values(breakers)) breaker.shutdown();
    },
  };
}
