// The ranking pipeline for one request, as pure array code over CandidateColumns: score every
// candidate (one pass per feature over typed/packed arrays), order only the reachable best-ranked
// prefix, mix in-network and out-of-network candidates by the model's rule (fresh posts of
// followed authors first among in-network ones) under diversity's run limits (or diversity alone
// when the model turns the rule off), explain the picks when asked. Candidates are never
// copied or turned into objects: stages pass indexes into the columns.
import { diversityReach, scoreColumns, type CandidateColumns, type ScoreBreakdownLike, type UserFeatures } from '@feedmesh/feed-core';
import type { RankingModel } from '../model/ranking-model.js';
import { createDiversitySelector } from './diversity-selector.js';
import { explainScores } from './explain-scores.js';
import { createInNetworkSelector, inNetworkActiveFor } from './in-network-selector.js';

/** Below this share of the block, the in-network selector orders each class itself (as rank-order selects). */
const OWN_ORDER_BELOW = 0.25;

export interface RankInput {
  columns: CandidateColumns;
  user: UserFeatures;
  model: RankingModel;
  nowMs: number;
  /** Items to return; 0 means all. */
  limit: number;
  debug: boolean;
  /** The id breakdowns show for candidate i (default: the block's packed UUID). */
  itemIdOf?: (i: number) => string;
}

export interface RankOutput {
  /** Candidate indexes in final order. */
  picked: Int32Array;
  /** scores[i] belongs to candidate i. */
  scores: Float64Array;
  /** Only with debug; breakdowns[k] explains picked[k]. */
  breakdowns?: ScoreBreakdownLike[];
}

export function rankCandidates(input: RankInput): RankOutput {
  const { columns, user, model, nowMs, debug } = input;
  const total = columns.count;
  const limit = input.limit === 0 ? total : Math.min(input.limit, total);

  const reach = diversityReach(total, limit, model.diversity.lookahead);
  // The in-network rule applies diversity's run limits in its own pass (without it, diversity
  // alone) and, for a page, finds each class's best `reach` itself: no global order then.
  const inNetworkApplies = inNetworkActiveFor(columns, model.inNetwork, model.scoring.inNetworkSource);
  const ownOrder = inNetworkApplies && reach < total * OWN_ORDER_BELOW;
  const { order, scores } = scoreColumns(columns, user, model.scoring, nowMs, { top: ownOrder ? 0 : reach });
  const picked = inNetworkApplies
    ? createInNetworkSelector({ columns, scores, settings: model.inNetwork, diversity: model.diversity, source: model.scoring.inNetworkSource, nowMs }).select(order, limit, reach)
    : createDiversitySelector(columns, model.diversity).select(order, limit);

  const output: RankOutput = { picked, scores };
  if (debug) output.breakdowns = explainScores(picked, columns, scores, user, model.scoring, nowMs, input.itemIdOf);
  return output;
}
