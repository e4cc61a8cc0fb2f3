// A ranking feature: one named signal, normalised to [0, 1], weighted by the model. Features are
// array code: one call computes the column of every candidate of a CandidateColumns block in a
// tight loop over its packed arrays (per-user lookups done once per distinct author, kind or
// source, not once per candidate), and `value` gives the same float for one candidate, for
// explanations.
import type { CandidateColumns } from '../candidate-block.js';
import type { ModelConfig } from './model-config.js';

/** Per-user signals ranking reads (loaded by the ranking app, typically from the read model). */
export interface UserFeatures {
  /** Author id → affinity in [0, 1] (follows, past engagement). Missing means 0. */
  authorAffinity: ReadonlyMap<string, number>;
  /** Item kind (proto ItemKind number) → preference in [0, 1]. Missing means 0. */
  kindAffinity: ReadonlyMap<number, number>;
}

export interface Feature {
  readonly name: string;
  /** Writes the value of every candidate, in [0, 1]: `out[i]` for i < `columns.count`. */
  computeColumn(columns: CandidateColumns, user: UserFeatures, nowMs: number, out: Float64Array): void;
  /** The value of candidate `i` alone: exactly the float `computeColumn` writes to `out[i]`. */
  value(columns: CandidateColumns, i: number, user: UserFeatures, nowMs: number): number;
}

/** How a feature is built from a model config (half-lives, priors... live in the config). */
export interface FeatureDefinition {
  readonly name: string;
  create(model: ModelConfig): Feature;
}

export const emptyUserFeatures: UserFeatures = { authorAffinity: new Map(), kindAffinity: new Map() };

/** Clamps to [0, 1]; NaN (bad data) becomes 0 so one item cannot poison the sort. */
export function clamp01(x: number): number {
  return x > 0 ? (x < 1 ? x : 1) : 0;
}
