import { RankingService } from '@feedmesh/contracts';
import { runApp, service, type AppParts, type SetupContext } from '@feedmesh/service-kit';
import type { CleanedEnv } from 'envalid';
import { createPgPool, pgPoolStats, prepareDatabase } from '@feedmesh/storage';
import { ModelStore } from './model/model-store.js';
import { rankingEnv } from './ranking-env.js';
import { RankingMetrics } from './ranking-metrics.js';
import { createRankingService } from './ranking-service.js';
import { queryUserFeatures } from './user-features/query-user-features.js';
import { UserFeaturesCache } from './user-features/user-features-cache.js';

export const rankingApp = {
  name: 'ranking',
  defaultPort: 8082,
  env: rankingEnv,
  async setup({ env, logger, metrics }: SetupContext<CleanedEnv<typeof rankingEnv>>): Promise<AppParts> {
    await prepareDatabase(env);
    const rankingMetrics = new RankingMetrics(metrics.registry);
    const models = await ModelStore.open({
      file: env.RANKING_MODEL_FILE,
      diversityDefaults: {
        maxSameKindRun: env.DIVERSITY_MAX_SAME_KIND_RUN,
        maxSameAuthorRun: env.DIVERSITY_MAX_SAME_AUTHOR_RUN,
        lookahead: env.DIVERSITY_LOOKAHEAD,
      },
      watch: env.RANKING_MODEL_WATCH,
      pollIntervalMs: env.RANKING_MODEL_POLL_MS,
      logger,
      onReload: (outcome, model) => {
        rankingMetrics.modelReloaded(outcome);
        rankingMetrics.modelServing(model.scoring.version);
      },
    });
    rankingMetrics.modelServing(models.current().scoring.version);

    const pool = createPgPool({ connectionString: env.DATABASE_URL, max: env.PG_POOL_MAX, applicationName: 'ranking' });
    const userFeatures = new UserFeaturesCache({
      load: (userId) => queryUserFeatures(pool, userId, env.USER_AFFINITY_MAX_ROWS),
      ttlMs: env.USER_FEATURES_CACHE_TTL_MS,
      maxUsers: env.USER_FEATURES_CACHE_MAX,
    });

    return {
      services: [
        service(
          RankingService,
          createRankingService({ models, userFeatures, userFeaturesTimeoutMs: env.USER_FEATURES_TIMEOUT_MS, metrics: rankingMetrics, logger }),
        ),
      ],
      // Postgres only feeds optional features, but a ranking without them for every user is a
      // degraded instance: report it so traffic goes to healthy ones.
      readiness: { postgres: () => pool.query('select 1') },
      pools: () => ({ postgres: pgPoolStats(pool) }),
      close: async () => {
        models.close();
        await pool.end();
      },
    };
  },
};

export function start() {
  return runApp(rankingApp);
}
