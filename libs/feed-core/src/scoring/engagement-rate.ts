// Engagement per view, smoothed with a Bayesian prior:
//   (likes + 2·shares − 3·hides + prior·mean) / (views + prior), clamped to [0, 1].
// Why smoothed: a raw ratio lets an item with 1 view and 1 like (100 %) beat one with 10k
// views at 20 %. The prior acts as `prior` pseudo-views already seen at the platform-wide
// mean rate, so young items start near the mean and move away only as evidence accumulates.
// Shares weigh more than likes (they spread the item), hides count against it.
import { toNumber } from '../candidate.js';
import { clamp01, type FeatureDefinition } from './feature.js';

export const engagementRate: FeatureDefinition = {
  name: 'engagement-rate',
  create(model) {
    const prior = model.engagementPriorViews;
    const priorEngagements = prior * model.engagementPriorMean;
    return {
      name: 'engagement-rate',
      compute(c) {
        const s = c.stats;
        if (s === undefined) return clamp01(model.engagementPriorMean);
        const engagements = toNumber(s.likes) + 2 * toNumber(s.shares) - 3 * toNumber(s.hides);
        return clamp01((engagements + priorEngagements) / (toNumber(s.views) + prior));
      },
    };
  },
};
