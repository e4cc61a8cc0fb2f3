// How much the user cares about the item's author (follows, past engagement).
import { clamp01, type FeatureDefinition } from './feature.js';

export const authorAffinity: FeatureDefinition = {
  name: 'author-affinity',
  create() {
    return {
      name: 'author-affinity',
      compute(c, user) {
        const authorId = c.item?.authorId;
        return authorId === undefined ? 0 : clamp01(user.authorAffinity.get(authorId) ?? 0);
      },
    };
  },
};
