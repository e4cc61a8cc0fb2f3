// Scores up to ~100k candidates: every feature is computed into its own Float64Array column,
// the score is the weighted sum in registry order, and one index sort yields the ranking.
// Typed arrays keep memory flat (8 bytes per candidate per column, no per-item objects
// unless debug breakdowns are asked for) and the comparator gives a total, stable order.
import { candidateCreatedAtMs, candidateId, compareIds, type CandidateLike } from '../candidate.js';
import type { Feature, UserFeatures } from './feature.js';
import { featureDefinitions } from './feature-registry.js';
import type { ModelConfig } from './model-config.js';

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

export interface ScoreOptions {
  /** Also return a per-candidate breakdown (allocates one object per candidate). */
  debug?: boolean;
}

export interface ScoredCandidates {
  /** Candidate indexes, best first: score desc, then created_at desc, then id asc. */
  order: Int32Array;
  /** scores[i] is the score of candidates[i]. */
  scores: Float64Array;
  /** Features the model used, in evaluation order (its length is `feature.count`). */
  featureNames: readonly string[];
  /** breakdowns[i] explains scores[i]; only with `debug`. */
  breakdowns?: ScoreBreakdownLike[];
}

interface WeightedFeature {
  feature: Feature;
  weight: number;
}

/** The features a model weights, in registry order. */
export function modelFeatures(model: ModelConfig): WeightedFeature[] {
  const out: WeightedFeature[] = [];
  for (const definition of featureDefinitions) {
    const weight = model.weights[definition.name];
    if (weight !== undefined) out.push({ feature: definition.create(model), weight });
  }
  return out;
}

export function scoreCandidates(
  candidates: readonly CandidateLike[],
  user: UserFeatures,
  model: ModelConfig,
  nowMs: number,
  options: ScoreOptions = {},
): ScoredCandidates {
  const n = candidates.length;
  const features = modelFeatures(model);
  const scores = new Float64Array(n);
  const columns = features.map(() => new Float64Array(n));

  features.forEach(({ feature, weight }, f) => {
    const column = columns[f]!;
    for (let i = 0; i < n; i++) {
      const value = feature.compute(candidates[i]!, user, nowMs);
      column[i] = value;
      scores[i] = scores[i]! + value * weight;
    }
  });

  const createdAt = new Float64Array(n);
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    createdAt[i] = candidateCreatedAtMs(candidates[i]!);
    ids[i] = candidateId(candidates[i]!);
  }

  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  // The comparator returns small integers only: a fractional difference returned to a typed-array
  // sort is boxed as a heap number on every call (~25 MB of garbage for 100k candidates).
  order.sort((a, b) => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    if (sa !== sb) return sa < sb ? 1 : -1;
    const ta = createdAt[a]!;
    const tb = createdAt[b]!;
    if (ta !== tb) return ta < tb ? 1 : -1;
    return compareIds(ids[a]!, ids[b]!) || a - b;
  });

  const result: ScoredCandidates = { order, scores, featureNames: features.map((f) => f.feature.name) };
  if (options.debug) {
    result.breakdowns = Array.from({ length: n }, (_, i) => ({
      itemId: ids[i]!,
      score: scores[i]!,
      features: features.map(({ feature, weight }, f) => {
        const value = columns[f]![i]!;
        return { feature: feature.name, value, weight, contribution: value * weight };
      }),
    }));
  }
  return result;
}
