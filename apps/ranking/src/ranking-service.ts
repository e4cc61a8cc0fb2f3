// feedmesh.ranking.v1.RankingService: validate → user features (fail-open) → score and
// diversify (span feed.ranking.score) → present. Rank (v1, nested Candidate messages) and
// RankBlock (a columnar CandidateBlock) run the same array code: v1 candidates are turned into
// columns first, and only presentation differs.
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import type { RankingService } from '@feedmesh/contracts';
import type { CandidateColumns } from '@feedmesh/feed-core';
import { deadlineOf } from '@feedmesh/service-kit';
import { withSpan, type Logger } from '@feedmesh/telemetry';
import type { ModelStore } from './model/model-store.js';
import { rankCandidates, type RankOutput } from './pipeline/rank-candidates.js';
import { rankRequestColumns } from './pipeline/rank-request-columns.js';
import { toRankBlockResponse, toRankResponse } from './pipeline/to-rank-response.js';
import { validateRankBlockRequest } from './request/validate-rank-block-request.js';
import { validateRankRequest } from './request/validate-rank-request.js';
import type { RankingMetrics } from './ranking-metrics.js';
import type { UserFeaturesCache } from './user-features/user-features-cache.js';
import type { RankingModel } from './model/ranking-model.js';

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

interface RankCall {
  userId: string;
  columns: CandidateColumns;
  nowMs: bigint;
  limit: number;
  debug: boolean;
  itemIdOf?: (i: number) => string;
}

export function createRankingService(deps: RankingServiceDeps): ServiceImpl<typeof RankingService> {
  async function rank(call: RankCall, ctx: HandlerContext): Promise<{ model: RankingModel; ranked: RankOutput }> {
    const model = deps.models.current();
    const nowMs = call.nowMs === 0n ? Date.now() : Number(call.nowMs);

    const budgetMs = deadlineOf(ctx).share(0.5, deps.userFeaturesTimeoutMs);
    const user = await deps.userFeatures.get(call.userId, budgetMs);
    deps.metrics.userFeaturesLoaded(user.outcome);
    ctx.responseHeader.set(USER_FEATURES_HEADER, user.outcome);
    if (user.outcome === 'timeout' || user.outcome === 'error') {
      deps.logger.warn({ userId: call.userId, outcome: user.outcome, budgetMs, err: user.error }, 'user features unavailable; ranking without them');
    }

    const attributes = {
      'model.version': model.scoring.version,
      'feature.count': model.featureCount,
      'candidate.count': call.columns.count,
      'user_features.outcome': user.outcome,
    };
    const ranked = await withSpan('feed.ranking.score', attributes, async () =>
      rankCandidates({ columns: call.columns, user: user.features, model, nowMs, limit: call.limit, debug: call.debug, itemIdOf: call.itemIdOf }),
    );
    return { model, ranked };
  }

  return {
    async rank(req, ctx) {
      validateRankRequest(req);
      const columns = rankRequestColumns(req.candidates);
      const itemIdOf = (i: number) => req.candidates[i]!.item!.id;
      const { model, ranked } = await rank({ userId: req.userId, columns, nowMs: req.nowMs, limit: req.limit, debug: req.debug, itemIdOf }, ctx);
      return toRankResponse(req.candidates, ranked, model);
    },

    async rankBlock(req, ctx) {
      const columns = validateRankBlockRequest(req);
      const { model, ranked } = await rank({ userId: req.userId, columns, nowMs: req.nowMs, limit: req.limit, debug: req.debug }, ctx);
      return toRankBlockResponse(columns, ranked, model);
    },
  };
}
