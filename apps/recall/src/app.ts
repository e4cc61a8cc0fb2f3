import { prometheusCacheMetrics } from '@feedmesh/cache';
import { create } from '@bufbuild/protobuf';
import { createHandlerContext } from '@connectrpc/connect';
import { RecallBlockRequestSchema, RecallService } from '@feedmesh/contracts';
import { packageVersion, runApp, service, type AppParts, type SetupContext } from '@feedmesh/service-kit';
import type { Logger } from '@feedmesh/telemetry';
import type { CleanedEnv } from 'envalid';
import { FANOUT_PULL_THRESHOLD, openStorage, prepareDatabase, ReadModel, readModelLookupCounter, USER_READ_MODEL_LIMITS, type UsersRepository } from '@feedmesh/storage';
import { createRecallService, type ConfiguredSource } from './recall-service.js';
import { recallAppEnvSpec as recallEnvSpec } from './env.js';
import { RecallMetrics } from './recall-metrics.js';
import { createFollowingSource } from './sources/following-source.js';
import { createFreshSource } from './sources/fresh-source.js';
import { createHomeTimeline } from './sources/home-timeline.js';
import { createInterestSource } from './sources/interest-source.js';
import { sharedAcrossUsers } from './sources/shared-source-cache.js';
import { createSharedZsets, hydratedTopEntries } from './sources/shared-zsets.js';
import { createTrendingSource } from './sources/trending-source.js';

export const recallApp = {
  name: 'recall',
  version: packageVersion(__dirname),
  defaultPort: 8081,
  env: recallEnvSpec,
  async setup({ env, logger, metrics: { registry } }: SetupContext<CleanedEnv<typeof recallEnvSpec>>): Promise<AppParts> {
    await prepareDatabase(env);
    // Postgres checked at open: fail at start rather than on the first call, and have one
    // connection open before traffic. After start a source hitting a dead Redis reports ERROR.
    const storage = await openStorage(env, {
      postgres: { applicationName: 'feedmesh-recall', max: env.PG_POOL_MAX, statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS, checkOnOpen: true },
    });
    const { pool, redis } = storage;

    const metrics = new RecallMetrics(registry);
    const readModel = new ReadModel(redis, pool, {
      limits: USER_READ_MODEL_LIMITS,
      itemRecordCache: { ttlMs: env.RECALL_ITEM_RECORD_TTL_MS, max: env.RECALL_ITEM_RECORD_CACHE_MAX },
      onLookup: readModelLookupCounter(registry),
      onWriteBackError: (error) => logger.warn({ err: error }, 'read-model write-back failed'),
    });
    const sharedZsets = (cache: string, depth: number) =>
      createSharedZsets({
        load: hydratedTopEntries(redis, readModel),
        depth,
        ttlMs: env.RECALL_SHARED_SOURCES_TTL_MS,
        maxKeys: env.RECALL_SHARED_ZSETS_MAX_KEYS,
        metrics: prometheusCacheMetrics(registry, cache),
      });
    const sources: ConfiguredSource[] = [
      {
        source: createFollowingSource({
          homeTimeline: createHomeTimeline({
            redis,
            follows: storage.follows,
            timelines: storage.timelines,
            inactiveAfterSeconds: Math.max(1, Math.round(env.RECALL_INACTIVE_AFTER_DAYS * 86_400)),
            pullThreshold: FANOUT_PULL_THRESHOLD,
            rebuildAuthorsMax: env.RECALL_REBUILD_AUTHORS_MAX,
            rebuildPerAuthor: env.RECALL_REBUILD_PER_AUTHOR,
            onRebuild: ({ entries }) => metrics.homeTimelineRebuilt(entries),
            onWriteBackError: (error) => logger.warn({ err: error }, 'home timeline write-back failed'),
          }),
          authorsRecent: sharedZsets('recall_author_zsets', Math.min(env.RECALL_FOLLOWING_QUOTA, env.RECALL_PULL_PER_AUTHOR)),
          quota: env.RECALL_FOLLOWING_QUOTA,
          maxPulledAuthors: env.RECALL_PULL_AUTHORS_MAX,
          perAuthorLimit: env.RECALL_PULL_PER_AUTHOR,
        }),
        timeoutMs: env.RECALL_FOLLOWING_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_FOLLOWING,
      },
      {
        source: sharedAcrossUsers(createTrendingSource({ redis, readModel, quota: env.RECALL_TRENDING_QUOTA }), env.RECALL_SHARED_SOURCES_TTL_MS, {
          metrics: prometheusCacheMetrics(registry, 'recall_trending'),
        }),
        timeoutMs: env.RECALL_TRENDING_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_TRENDING,
      },
      {
        source: createInterestSource({ topicsRecent: sharedZsets('recall_topic_zsets', env.RECALL_INTEREST_QUOTA), quota: env.RECALL_INTEREST_QUOTA, maxTopics: env.RECALL_INTEREST_TOPICS }),
        timeoutMs: env.RECALL_INTEREST_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_INTEREST,
      },
      {
        source: sharedAcrossUsers(createFreshSource({ redis, items: storage.items, quota: env.RECALL_FRESH_QUOTA, onFallback: () => metrics.freshFallback() }), env.RECALL_SHARED_SOURCES_TTL_MS, {
          metrics: prometheusCacheMetrics(registry, 'recall_fresh'),
        }),
        timeoutMs: env.RECALL_FRESH_TIMEOUT_MS,
        injectedDelayMs: env.RECALL_SOURCE_DELAY_MS_FRESH,
      },
    ];
    for (const s of sources) {
      if (s.injectedDelayMs > 0) logger.warn({ source: s.source.name, delayMs: s.injectedDelayMs }, 'fault injection: recall source delayed');
    }

    const handler = createRecallService({ sources, readModel, hydrateTimeoutMs: env.RECALL_HYDRATE_TIMEOUT_MS, metrics, logger });
    await warmUp(handler, storage.users, logger);
    return {
      services: [service(RecallService, handler, 'mesh')],
      readiness: storage.ping,
      pools: () => ({ postgres: storage.poolStats() }),
      close: () => storage.close(),
    };
  },
};

const WARM_UP_USERS = 3;
/** The whole warm-up's bound: a source that never answers (fault injection) must not hold the start. */
const WARM_UP_BUDGET_MS = 3_000;

/**
 * Readiness should mean "serves at speed". A fresh process's first RecallBlock pays for JIT,
 * Postgres connections and empty shared caches: ~0.5 s on a quiet box, seconds on a busy one,
 * more than the aggregator's recall budget, so after a restart its breaker's trial call ran out
 * of time and the circuit opened again. A few calls here, before the port opens, pay that
 * instead. Fail-open: a warm-up call that fails only logs.
 */
async function warmUp(handler: ReturnType<typeof createRecallService>, users: UsersRepository, logger: Logger): Promise<void> {
  const started = performance.now();
  let userIds: string[];
  try {
    userIds = await users.firstIds(WARM_UP_USERS);
  } catch (error) {
    logger.warn({ err: error }, 'warm-up: no users to recall for; serving cold');
    return;
  }
  let served = 0;
  // One at a time, each on its own: the first is the slow one and may see every source time out.
  for (const userId of userIds) {
    const leftMs = WARM_UP_BUDGET_MS - (performance.now() - started);
    if (leftMs < 50) break;
    const ctx = createHandlerContext({
      service: RecallService,
      method: RecallService.method.recallBlock,
      protocolName: 'warm-up',
      requestMethod: 'POST',
      url: '/warm-up',
      timeoutMs: leftMs,
    });
    try {
      await handler.recallBlock(create(RecallBlockRequestSchema, { userId, limit: 500 }), ctx);
      served++;
    } catch (error) {
      logger.info({ err: error, userId }, 'warm-up call failed');
    }
  }
  logger.info({ calls: userIds.length, served, ms: Math.round(performance.now() - started) }, 'warmed up');
}

export function start() {
  return runApp(recallApp);
}
