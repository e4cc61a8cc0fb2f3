// The aggregator's FeedService with its parts wired (breakers, users, sessions, fallback), given
// downstream clients from outside: the app passes gRPC clients, the in-process benchmark passes
// direct-call ones, and both get the same service.
import type { ServiceImpl } from '@connectrpc/connect';
import type { FeedService } from '@feedmesh/contracts';
import { HybridLogicalClock } from '@feedmesh/feed-core';
import type { RedisClient } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import type { CleanedEnv } from 'envalid';
import type { Pool } from 'pg';
import { DownstreamBreaker, type BreakerSettings } from './downstream/downstream-breaker.js';
import { guardedDownstreams, type DownstreamClients } from './downstream/feed-downstreams.js';
import { homeTimelineFallback } from './downstream/home-timeline-fallback.js';
import type { aggregatorEnv } from './env.js';
import { feedService } from './feed-service.js';
import { parseCursorSecrets } from './paging/cursor-secrets.js';
import { RedisSessionStore } from './paging/redis-session-store.js';
import { postgresUsers } from './users/postgres-users.js';
import { UserDirectory } from './users/user-directory.js';

/** The aggregator's settings plus the kit's base setting it reads (loadConfig merges both). */
export type AggregatorEnv = CleanedEnv<typeof aggregatorEnv> & { MAX_DEADLINE_MS: number };

export interface FeedServiceParts {
  env: AggregatorEnv;
  logger: Logger;
  clients: DownstreamClients;
  pool: Pool;
  redis: RedisClient;
}

export interface CreatedFeedService {
  impl: ServiceImpl<typeof FeedService>;
  /** Stops the breakers' timers; the clients, pool and Redis belong to the caller. */
  close(): void;
}

export function createFeedService({ env, logger, clients, pool, redis }: FeedServiceParts): CreatedFeedService {
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
    secrets: parseCursorSecrets(env.CURSOR_SECRETS, logger),
    settings: {
      maxDeadlineMs: env.MAX_DEADLINE_MS,
      defaultBudgetMs: env.FEED_DEFAULT_BUDGET_MS,
      recallLimit: env.FEED_RECALL_LIMIT,
      maxPages: env.FEED_MAX_PAGES,
    },
  });
  return {
    impl,
    close: () => {
      for (const breaker of Object.values(breakers)) breaker.shutdown();
    },
  };
}
