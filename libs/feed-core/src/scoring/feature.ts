// A ranking feature: one named signal, normalised to [0, 1], weighted by the model.
import type { ItemKind } from '@feedmesh/contracts';
import type { CandidateLike } from '../candidate.js';
import type { ModelConfig } from './model-config.js';

/** Per-user signals ranking reads (loaded by the ranking app, typically from storage). */
export interface UserFeatures {
  /** Author id → affinity in [0, 1] (follows, past engagement). Missing means 0. */
  authorAffinity: ReadonlyMap<string, number>;
  /** Item kind → preference in [0, 1]. Missing means 0. */
  kindAffinity: ReadonlyMap<ItemKind, number>;
}

export interface Feature {
  readonly name: string;
  /** The feature value of one candidate, in [0, 1]. Called once per candidate: keep it cheap. */
  compute(c: CandidateLike, user: UserFeatures, nowMs: number): number;
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
