// Exponential decay with the model's half-life: 1 when just published, 0.5 after one
// half-life. Items dated in the future (clock skew) count as brand new, not as > 1.
import { clamp01, type FeatureDefinition } from './feature.js';

export const freshness: FeatureDefinition = {
  name: 'freshness',
  create(model) {
    const decayPerMs = Math.LN2 / (model.freshnessHalfLifeHours * 3_600_000);
    const at = (createdAtMs: number, nowMs: number) => {
      const ageMs = nowMs - createdAtMs;
      return ageMs <= 0 ? 1 : clamp01(Math.exp(-ageMs * decayPerMs));
    };
    return {
      name: 'freshness',
      computeColumn(c, _user, nowMs, out) {
        const createdAtMs = c.createdAtMs;
        for (let i = 0, n = c.count; i < n; i++) out[i] = at(createdAtMs[i]!, nowMs);
      },
      value: (c, i, _user, nowMs) => at(c.createdAtMs[i]!, nowMs),
    };
  },
};
