// Engagement per view, smoothed with a Bayesian prior:
//   (likes + 2·shares − 3·hides + prior·mean) / (views + prior), clamped to [0, 1].
// Why smoothed: a raw ratio lets an item with 1 view and 1 like (100 %) beat one with 10k
// views at 20 %. The prior acts as `prior` pseudo-views already seen at the platform-wide
// mean rate, so young items start near the mean and move away only as evidence accumulates.
// Shares weigh more than likes (they spread the item), hides count against it. An item without
// stats has zero counters: the prior mean.
import { clamp01, type FeatureDefinition } from './feature.js';

export const engagementRate: FeatureDefinition = {
  name: 'engagement-rate',
  create(model) {
    const prior = model.engagementPriorViews;
    const priorEngagements = prior * model.engagementPriorMean;
    const at = (views: number, likes: number, shares: number, hides: number) => {
      const engagements = likes + 2 * shares - 3 * hides;
      return clamp01((engagements + priorEngagements) / (views + prior));
    };
    return {
      name: 'engagement-rate',
      computeColumn(c, _user, _nowMs, out) {
        const { views, likes, shares, hides } = c;
        for (let i = 0, n = c.count; i < n; i++) out[i] = at(views[i]!, likes[i]!, shares[i]!, hides[i]!);
      },
      value: (c, i) => at(c.views[i]!, c.likes[i]!, c.shares[i]!, c.hides[i]!),
    };
  },
};
