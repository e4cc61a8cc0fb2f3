// Exponential decay with the model's half-life: 1 when just published, 0.5 after one
// half-life. Items dated in the future (clock skew) count as brand new, not as > 1.
import { candidateCreatedAtMs } from '../candidate.js';
import { clamp01, type FeatureDefinition } from './feature.js';

export const freshness: FeatureDefinition = {
  name: 'freshness',
  create(model) {
    const decayPerMs = Math.LN2 / (model.freshnessHalfLifeHours * 3_600_000);
    return {
      name: 'freshness',
      compute(c, _user, nowMs) {
        const ageMs = nowMs - candidateCreatedAtMs(c);
        return ageMs <= 0 ? 1 : clamp01(Math.exp(-ageMs * decayPerMs));
      },
    };
  },
};
