// feedmesh.ranking.v1.RankingService/Rank: validate → user features (fail-open) → score and
// diversify (span feed.ranking.score) → present.
import type { ServiceImpl } from '@connectrpc/connect';
import type { RankingService } from '@feedmesh/contracts';
import { withSpan, type Logger } from '@feedmesh/telemetry';
import type { ModelStore } from './model/model-store.js';
import { rankCandidates } from './pipeline/rank-candidates.js';
import { toRankResponse } from './pipeline/to-rank-response.js';
import { validateRankRequest } from './pipeline/validate-rank-request.js';
import type { RankingMetrics } from './ranking-metrics.js';
import type { UserFeaturesCache } from './user-features/user-features-cache.js';

/** Response header (gRPC metadata) telling whether the user's features were used. */
export const USER_FEATURES_HEADER = 'feedmesh-user-features';

export interface RankingServiceDeps {
  models: ModelStore;
  userFeatures: UserFeaturesCache;
  /** Budget for loading a user's features; capped at half the call's remaining deadline. */
  userFeaturesTimeoutMs: number;
  metrics: RankingMetrics;
  logger: Logger;
}

export function createRankingService(deps: RankingServiceDeps): ServiceImpl<typeof RankingService> {
  return {
    async rank(req, ctx) {
      validateRankRequest(req);
      const model = deps.models.current();
      const nowMs = req.nowMs === 0n ? Date.now() : Number(req.nowMs);

      const remainingMs = ctx.timeoutMs();
      const budgetMs = remainingMs === undefined ? deps.userFeaturesTimeoutMs : Math.min(deps.userFeaturesTimeoutMs, remainingMs / 2);
      const user = await deps.userFeatures.get(req.userId, budgetMs);
      deps.metrics.userFeaturesLoaded(user.outcome);
      ctx.responseHeader.set(USER_FEATURES_HEADER, user.outcome);
      if (user.outcome === 'timeout' || user.outcome === 'error') {
        deps.logger.warn({ userId: req.userId, outcome: user.outcome, budgetMs, err: user.error }, 'user features unavailable; ranking without them');
      }

      const attributes = {
        'model.version': model.scoring.version,
        'feature.count': model.featureCount,
        'candidate.count': req.candidates.length,
        'user_features.outcome': user.outcome,
      };
      const ranked = await withSpan('feed.ranking.score', attributes, async () =>
        rankCandidates({ candidates: req.candidates, user: user.features, model, nowMs, limit: req.limit, debug: req.debug }),
      );
      return toRankResponse(req.candidates, ranked, model);
    },
  };
}
