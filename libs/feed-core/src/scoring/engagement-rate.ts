// Engagement per view, smoothed with a Bayesian prior, minus a bounded hide penalty:
//   rate    = (likes + 2·shares + prior·mean) / (views + prior)
//   penalty = min(maxHidePenalty, hides / (views + prior))
//   value   = clamp01(rate − penalty)
// Why smoothed: a raw ratio lets an item with 1 view and 1 like (100 %) beat one with 10k
// views at 20 %. The prior acts as `prior` pseudo-views already seen at the platform-wide
// mean rate, so young items start near the mean (a cold-start prior: a new item is average, not
// zero) and move away only as evidence accumulates. Shares weigh more than likes (they spread
// the item). An item without stats has zero counters: the prior mean.
// Hides: this feature is global (everyone sees the same value), and a hide is one viewer's
// choice (the viewer's own hides are filtered per viewer, in ingest/aggregator). So hides only
// count as their share of views, smoothed by the same prior pseudo-views (hideless), and that
// share is capped by `maxHidePenalty` (model key, default 0.05): five hides on a fresh item cost
// at most the cap, never the item's whole rate — unlike the old `− 3·hides` numerator term.
import { clamp01, type FeatureDefinition } from './feature.js';

export const engagementRate: FeatureDefinition = {
  name: 'engagement-rate',
  create(model) {
    const prior = model.engagementPriorViews;
    const priorEngagements = prior * model.engagementPriorMean;
    const maxHidePenalty = model.maxHidePenalty;
    const at = (views: number, likes: number, shares: number, hides: number) => {
      const seen = views + prior;
      const hideShare = hides / seen;
      const penalty = hideShare < maxHidePenalty ? hideShare : maxHidePenalty;
      return clamp01((likes + 2 * shares + priorEngagements) / seen - (penalty > 0 ? penalty : 0));
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
