// Debug breakdowns for the returned items only: every feature's value is recomputed for those
// few candidates (the same float as its column), so contributions sum to exactly the score and a
// 100k-candidate request does not allocate 100k breakdowns to show 20.
import { explainCandidate, type CandidateColumns, type ModelConfig, type ScoreBreakdownLike, type UserFeatures } from '@feedmesh/feed-core';

export function explainScores(
  picked: ArrayLike<number>,
  columns: CandidateColumns,
  scores: Float64Array,
  user: UserFeatures,
  model: ModelConfig,
  nowMs: number,
  /** The id shown for candidate i (default: the block's packed UUID). */
  itemIdOf?: (i: number) => string,
): ScoreBreakdownLike[] {
  return Array.from(picked, (i) => explainCandidate(columns, i, user, model, nowMs, scores[i]!, itemIdOf?.(i)));
}
