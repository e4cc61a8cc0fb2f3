// Debug breakdowns for the returned items only: every feature is recomputed for those few items
// in the scorer's order, so contributions sum to exactly the score (same float operations) and a
// 100k-candidate request does not allocate 100k breakdowns to show 20.
import type { Candidate } from '@feedmesh/contracts';
import { modelFeatures, type ModelConfig, type ScoreBreakdownLike, type UserFeatures } from '@feedmesh/feed-core';

export function explainScores(
  picked: readonly number[],
  candidates: readonly Candidate[],
  scores: Float64Array,
  user: UserFeatures,
  model: ModelConfig,
  nowMs: number,
): ScoreBreakdownLike[] {
  const features = modelFeatures(model);
  return picked.map((i) => {
    const candidate = candidates[i]!;
    return {
      itemId: candidate.item?.id ?? '',
      score: scores[i]!,
      features: features.map(({ feature, weight }) => {
        const value = feature.compute(candidate, user, nowMs);
        return { feature: feature.name, value, weight, contribution: value * weight };
      }),
    };
  });
}
