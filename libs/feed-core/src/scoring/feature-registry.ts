// Every feature a model may weight, by name. The order here is the evaluation order, which
// fixes the floating-point summation order and therefore makes scores reproducible.
import { authorAffinity } from './author-affinity.js';
import { engagementRate } from './engagement-rate.js';
import type { FeatureDefinition } from './feature.js';
import { freshness } from './freshness.js';
import { kindPreference } from './kind-preference.js';
import { sourceBoost } from './source-boost.js';

export const featureDefinitions: readonly FeatureDefinition[] = [
  freshness,
  engagementRate,
  authorAffinity,
  kindPreference,
  sourceBoost,
];

export const featureNames: readonly string[] = featureDefinitions.map((f) => f.name);
