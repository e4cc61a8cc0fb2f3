import { prometheusCacheMetrics } from '@feedmesh/cache';
import { RankingService } from '@feedmesh/contracts';
import { packageVersion, runApp, service, type AppParts, type SetupContext } from '@feedmesh/service-kit';
import type { CleanedEnv } from 'envalid';
import { openStorage, prepareDatabase, ReadModel, readModelLookupCounter, USER_READ_MODEL_LIMITS } from '@feedmesh/storage';
import { ModelStore } from './model/model-store.js';
import { rankingEnvSpec } from './env.js';
import { RankingMetrics } from './ranking-metrics.js';
import { createRankingService } from './ranking-service.js';
import { queryUserFeatures } from './user-features/query-user-features.js';
import { UserFeaturesCache } from './user-features/user-features-cache.js';

export const rankingApp = {
  name: 'ranking',
  version: packageVersion(__dirname),
  defaultPort: 8082,
  env: rankingEnvSpec,
  async setup({ env, logger, metrics }: SetupContext<CleanedEnv<typeof rankingEnvSpec>>): Promise<AppParts> {
    await prepareDatabase(env);
    const rankingMetrics = new RankingMetrics(metrics.registry);
    const models = await ModelStore.open({
      file: env.RANKING_MODEL_FILE,
      watch: env.RANKING_MODEL_WATCH,
      pollIntervalMs: env.RANKING_MODEL_POLL_MS,
      logger,
      onReload: (outcome, model) => {
        rankingMetrics.modelReloaded(outcome);
        rankingMetrics.modelServing(model.scoring.version);
      },
    });
    rankingMetrics.modelServing(models.current().scoring.version);

    // After start a failed read fails open (ranked without features).
    const storage = await openStorage(env, { postgres: { applicationName: 'ranking', max: env.PG_POOL_MAX } });
    // One set of limits for every reader and writer of the read model: a snapshot ranking loads from
    // Postgres is written back for recall too.
    const readModel = new ReadModel(storage.redis, storage.pool, {
      limits: USER_READ_MODEL_LIMITS,
      onLookup: readModelLookupCounter(metrics.registry),
      onWriteBackError: (err) => logger.warn({ err }, 'read model write-back failed'),
    });
    const userFeatures = new UserFeaturesCache({
      load: (userId) => queryUserFeatures(readModel, userId, USER_READ_MODEL_LIMITS.maxAuthorAffinities),
      ttlMs: env.USER_FEATURES_CACHE_TTL_MS,
      maxUsers: env.USER_FEATURES_CACHE_MAX,
      metrics: prometheusCacheMetrics(metrics.registry, 'ranking_user_features'),
    });

    return {
      services: [
        service(
          RankingService,
          createRankingService({ models, userFeatures, userFeaturesTimeoutMs: env.USER_FEATURES_TIMEOUT_MS, metrics: rankingMetrics, logger }),
          'mesh',
        ),
      ],
      // Redis and Postgres only feed optional features, but a ranking without them for every user
      // is a degraded instance: report it so traffic goes to healthy ones.
      readiness: storage.ping,
      pools: () => ({ postgres: storage.poolStats() }),
      close: async () => {
        models.close();
        await storage.close();
      },
    };
  },
};

export function start() {
  return runApp(rankingApp);
}
