// Editorial trust in recall sources: the best boost among the sources that produced the
// item (e.g. "following" 1.0, "trending" 0.4). Unlisted sources give 0.
import { clamp01, type FeatureDefinition } from './feature.js';

export const sourceBoost: FeatureDefinition = {
  name: 'source-boost',
  create(model) {
    const boosts = new Map(Object.entries(model.sourceBoosts));
    return {
      name: 'source-boost',
      compute(c) {
        let best = 0;
        for (const source of c.sources) {
          const boost = boosts.get(source);
          if (boost !== undefined && boost > best) best = boost;
        }
        return clamp01(best);
      },
    };
  },
};
