// The ranking pipeline for one request, as pure logic: score every candidate (typed arrays, one
// index sort), hand the reachable best-ranked prefix to the diversity selector, explain the
// picks when asked. Candidates are never copied: stages pass indexes into the request's array.
import type { Candidate } from '@feedmesh/contracts';
import { scoreCandidates, type ScoreBreakdownLike, type UserFeatures } from '@feedmesh/feed-core';
import type { RankingModel } from '../model/ranking-model.js';
import { createDiversitySelector, diversityReach } from './diversity-selector.js';
import { explainScores } from './explain-scores.js';

export interface RankInput {
  candidates: readonly Candidate[];
  user: UserFeatures;
  model: RankingModel;
  nowMs: number;
  /** Items to return; 0 means all. */
  limit: number;
  debug: boolean;
}

export interface RankOutput {
  /** Candidate indexes in final order. */
  picked: number[];
  /** scores[i] belongs to candidates[i]. */
  scores: Float64Array;
  /** Only with debug; breakdowns[k] explains picked[k]. */
  breakdowns?: ScoreBreakdownLike[];
}

export function rankCandidates(input: RankInput): RankOutput {
  const { candidates, user, model, nowMs, debug } = input;
  const total = candidates.length;
  const limit = input.limit === 0 ? total : Math.min(input.limit, total);

  const { order, scores } = scoreCandidates(candidates, user, model.scoring, nowMs);
  const reachable = Array.from(order.subarray(0, diversityReach(total, limit, model.diversity.lookahead)));
  const picked = createDiversitySelector(candidates, model.diversity).select(reachable, limit);

  const output: RankOutput = { picked, scores };
  if (debug) output.breakdowns = explainScores(picked, candidates, scores, user, model.scoring, nowMs);
  return output;
}
