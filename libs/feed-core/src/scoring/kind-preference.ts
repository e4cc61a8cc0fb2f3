// How much the user likes this kind of content (article / video / live): the user's map is read
// once per kind (kinds are bytes), then every candidate reads its kind's entry.
import { clamp01, type FeatureDefinition, type UserFeatures } from './feature.js';

const preferenceOf = (user: UserFeatures, kind: number) => clamp01(user.kindAffinity.get(kind) ?? 0);

export const kindPreference: FeatureDefinition = {
  name: 'kind-preference',
  create() {
    return {
      name: 'kind-preference',
      computeColumn(c, user, _nowMs, out) {
        const table = new Float64Array(256);
        for (const kind of user.kindAffinity.keys()) if (kind >= 0 && kind < 256 && Number.isInteger(kind)) table[kind] = preferenceOf(user, kind);
        const kinds = c.kinds;
        for (let i = 0, n = c.count; i < n; i++) out[i] = table[kinds[i]!]!;
      },
      value: (c, i, user) => preferenceOf(user, c.kinds[i]!),
    };
  },
};
