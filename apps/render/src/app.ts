import { RenderService } from '@feedmesh/contracts';
import { packageVersion, runApp, service, type AppParts, type SetupContext } from '@feedmesh/service-kit';
import { openStorage, prepareDatabase } from '@feedmesh/storage';
import type { CleanedEnv } from 'envalid';
import { CardCache } from './cache/card-cache.js';
import { CardInvalidations } from './cache/card-invalidations.js';
import { MemoryCardCache } from './cache/memory-card-cache.js';
import { RenderedCardCache } from './cache/rendered-card-cache.js';
import { CardLoader } from './card-loader.js';
import { renderEnvSpec } from './env.js';
import { createRenderService } from './render-service.js';
import { RenderTelemetry } from './render-metrics.js';

export const renderApp = {
  name: 'render',
  version: packageVersion(__dirname),
  defaultPort: 8083,
  env: renderEnvSpec,
  async setup({ env, logger, metrics }: SetupContext<CleanedEnv<typeof renderEnvSpec>>): Promise<AppParts> {
    await prepareDatabase(env);
    // Redis errors are reported by the cache (rate-limited). Redis is only a cache here: start
    // (and stay ready) without it, rendering from Postgres.
    const storage = await openStorage(env, {
      postgres: { applicationName: 'feedmesh-render', max: env.PG_POOL_MAX, statementTimeoutMs: env.PG_STATEMENT_TIMEOUT_MS },
      redis: {
        commandTimeoutMs: env.REDIS_COMMAND_TIMEOUT_MS,
        readyTimeoutMs: 2_000,
        onUnavailableAtStart: (error) => logger.warn({ err: error }, 'Redis unavailable at start; serving from Postgres until it is back'),
      },
    });
    const { redis } = storage;

    const redisCache = new RenderedCardCache(redis, logger, { readTimeoutMs: env.RENDER_CACHE_READ_TIMEOUT_MS, ttlJitter: env.RENDER_TTL_JITTER });
    const memory =
      env.RENDER_MEMORY_CACHE_MAX > 0 && env.RENDER_MEMORY_CACHE_TTL_MS > 0
        ? new MemoryCardCache({
            maxEntries: env.RENDER_MEMORY_CACHE_MAX,
            maxBytes: env.RENDER_MEMORY_CACHE_MAX_BYTES,
            ttlMs: env.RENDER_MEMORY_CACHE_TTL_MS,
            volatileTtlMs: env.RENDER_MEMORY_LIVE_CARD_TTL_MS,
          })
        : undefined;
    const telemetry = new RenderTelemetry(metrics.registry, memory);
    const invalidations = memory
      ? new CardInvalidations(redis, memory, logger, {
          invalidated: (ids) => telemetry.memoryInvalidated(ids ?? 0),
          tracking: (active) => telemetry.trackingChanged(active),
        })
      : undefined;
    if (invalidations && !invalidations.start()) {
      logger.info('Redis Cluster: card changes are not tracked; in-process cards expire by RENDER_MEMORY_CACHE_TTL_MS only');
    }
    const cache = new CardCache(redisCache, memory);
    const render = createRenderService({
      cache,
      loader: new CardLoader(storage.items, cache, {
        cardMs: env.RENDER_CARD_TTL_MS,
        volatileCardMs: env.RENDER_LIVE_CARD_TTL_MS,
        missingMs: env.RENDER_NEGATIVE_TTL_MS,
      }),
      telemetry,
      earlyRefreshWindowMs: env.RENDER_EARLY_REFRESH_MS,
      logger,
    });
    return {
      services: [service(RenderService, { render }, 'mesh')],
      // Redis is left out of readiness on purpose: render serves without it.
      readiness: { postgres: storage.ping.postgres },
      pools: () => ({ postgres: storage.poolStats() }),
      close: async () => {
        invalidations?.close();
        await storage.close();
      },
    };
  },
};

export function start() {
  return runApp(renderApp);
}
