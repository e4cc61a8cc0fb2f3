// A model for feed-core's own tests (kept out of the build): the values of the shipped model
// (apps/ranking/model/default-model.json) at the time, so the tests read like production, but a
// test fixture: changing the shipped model does not change it.
import type { ModelConfig } from './model-config.js';

export const exampleModel: ModelConfig = Object.freeze({
  version: 'heuristic-v1',
  weights: Object.freeze({
    freshness: 0.35,
    'engagement-rate': 0.25,
    'author-affinity': 0.25,
    'kind-preference': 0.1,
    'source-boost': 0.05,
  }),
  freshnessHalfLifeHours: 24,
  engagementPriorViews: 50,
  engagementPriorMean: 0.05,
  sourceBoosts: Object.freeze({ following: 1, trending: 0.4 }),
  inNetworkSource: 'following',
  followedAuthorAffinity: 0.5,
  maxHidePenalty: 0.05,
});
