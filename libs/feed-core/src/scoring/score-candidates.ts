// Scores up to ~100k candidates as array code over CandidateColumns: every feature the model
// weights computes its column into one reused Float64Array in a tight loop, the score is the
// weighted sum in registry order (which fixes the floating-point summation order, so scores are
// reproducible), and the ranking order comes from rankOrder — a selection for a page, a radix
// sort for everything. No per-candidate objects: memory stays a few typed arrays (8 bytes per
// candidate per column), and breakdowns are built only for the candidates asked about.
import { readUuid, type CandidateColumns } from '../candidate-block.js';
import { candidateId, type CandidateLike } from '../candidate.js';
import { columnsOfCandidates } from './candidate-columns.js';
import type { Feature, UserFeatures } from './feature.js';
import { featureDefinitions } from './feature-registry.js';
import type { ModelConfig } from './model-config.js';
import { rankOrder } from './rank-order.js';

// Exported through this module (the package index re-exports it).
export { columnsOfCandidates, isCanonicalUuid } from './candidate-columns.js';
export { rankComparator, rankOrder } from './rank-order.js';

export interface FeatureContributionLike {
  feature: string;
  value: number;
  weight: number;
  contribution: number;
}

/** Structurally a feedmesh.common.v1.ScoreBreakdown init (`create(ScoreBreakdownSchema, b)`). */
export interface ScoreBreakdownLike {
  itemId: string;
  score: number;
  features: FeatureContributionLike[];
}

export interface ScoreColumnsOptions {
  /** Order only the best `top` candidates (default: all); a page needs limit + lookahead. */
  top?: number;
}

export interface ScoredColumns {
  /** The best `top` candidate indexes, best first: score desc, then created_at desc, then id asc. */
  order: Int32Array;
  /** scores[i] is the score of candidate i (every candidate, not only the ordered ones). */
  scores: Float64Array;
  /** Features the model used, in evaluation order (its length is `feature.count`). */
  featureNames: readonly string[];
}

export interface WeightedFeature {
  feature: Feature;
  weight: number;
}

const featuresByModel = new WeakMap<ModelConfig, WeightedFeature[]>();

/** The features a model weights, in registry order (built once per model object). */
export function modelFeatures(model: ModelConfig): WeightedFeature[] {
  let out = featuresByModel.get(model);
  if (out === undefined) {
    out = [];
    for (const definition of featureDefinitions) {
      const weight = model.weights[definition.name];
      if (weight !== undefined) out.push({ feature: definition.create(model), weight });
    }
    featuresByModel.set(model, out);
  }
  return out;
}

/** Scores every candidate of `columns` and orders the best `options.top`. */
export function scoreColumns(
  columns: CandidateColumns,
  user: UserFeatures,
  model: ModelConfig,
  nowMs: number,
  options: ScoreColumnsOptions = {},
): ScoredColumns {
  const n = columns.count;
  const features = modelFeatures(model);
  const scores = new Float64Array(n);
  const column = featureScratch(n);
  for (const { feature, weight } of features) {
    feature.computeColumn(columns, user, nowMs, column);
    addWeighted(scores, column, weight, n);
  }
  const order = rankOrder(scores, columns.createdAtMs, columns.ids, options.top ?? n);
  return { order, scores, featureNames: features.map((f) => f.feature.name) };
}

let scratch = new Float64Array(0);

/**
 * The column buffer features write into, reused across calls (scoring is synchronous and never
 * re-entered), so a request allocates its scores and nothing per feature.
 */
function featureScratch(n: number): Float64Array {
  if (scratch.length < n) scratch = new Float64Array(n);
  return scratch.subarray(0, n);
}

/** scores += column · weight. Its own small function: called once per feature, it is optimised early. */
function addWeighted(scores: Float64Array, column: Float64Array, weight: number, n: number): void {
  for (let i = 0; i < n; i++) scores[i] = scores[i]! + column[i]! * weight;
}

/**
 * The breakdown of candidate `i`: each feature's value recomputed alone (the same float as its
 * column), so the contributions, summed in order from 0, are exactly `score`.
 */
export function explainCandidate(
  columns: CandidateColumns,
  i: number,
  user: UserFeatures,
  model: ModelConfig,
  nowMs: number,
  score: number,
  itemId: string = readUuid(columns.ids, i * 16),
): ScoreBreakdownLike {
  return {
    itemId,
    score,
    features: modelFeatures(model).map(({ feature, weight }) => {
      const value = feature.value(columns, i, user, nowMs);
      return { feature: feature.name, value, weight, contribution: value * weight };
    }),
  };
}

export interface ScoreOptions {
  /** Also return a breakdown of every candidate (allocates one object per candidate). */
  debug?: boolean;
}

export interface ScoredCandidates extends ScoredColumns {
  /** breakdowns[i] explains scores[i]; only with `debug`. */
  breakdowns?: ScoreBreakdownLike[];
}

/** v1 candidates, scored by the same code: converted to columns first (see columnsOfCandidates). */
export function scoreCandidates(
  candidates: readonly CandidateLike[],
  user: UserFeatures,
  model: ModelConfig,
  nowMs: number,
  options: ScoreOptions = {},
): ScoredCandidates {
  const columns = columnsOfCandidates(candidates);
  const result: ScoredCandidates = scoreColumns(columns, user, model, nowMs);
  if (options.debug) {
    result.breakdowns = candidates.map((c, i) => explainCandidate(columns, i, user, model, nowMs, result.scores[i]!, candidateId(c)));
  }
  return result;
}
