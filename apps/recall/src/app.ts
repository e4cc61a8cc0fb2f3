import { create } from '@bufbuild/protobuf';
import { createHandlerContext } from '@connectrpc/connect';
import { RecallBlockRequestSchema, RecallService } from '@feedmesh/contracts';
import { runApp, service, type AppParts, type SetupContext } from '@feedmesh/service-kit';
import type { Logger } from '@feedmesh/telemetry';
import type pg from 'pg';
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
    await warmUp(handler, pool, logger);
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
async function warmUp(handler: ReturnType<typeof createRecallHandler>, pool: pg.Pool, logger: Logger): Promise<void> {
  const started = performance.now();
  let users: string[];
  try {
    users = (await pool.query<{ id: string }>('select id from users order by id limit $1', [WARM_UP_USERS])).rows.map((r) => r.id);
  } catch (error) {
    logger.warn({ err: error }, 'warm-up: no users to recall for; serving cold');
    return;
  }
  let served = 0;
  // One at a time, each on its own: the first is the slow one and may see every source time out.
  for (const userId of users) {
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
  logger.info({ calls: users.length, served, ms: Math.round(performance.now() - started) }, 'warmed up');
}

export function start() {
  return runApp(recallApp);
}
