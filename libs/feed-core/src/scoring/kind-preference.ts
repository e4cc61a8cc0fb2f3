// How much the user likes this kind of content (article / video / live).
import { clamp01, type FeatureDefinition } from './feature.js';

export const kindPreference: FeatureDefinition = {
  name: 'kind-preference',
  create() {
    return {
      name: 'kind-preference',
      compute(c, user) {
        return c.item === undefined ? 0 : clamp01(user.kindAffinity.get(c.item.kind) ?? 0);
      },
    };
  },
};
