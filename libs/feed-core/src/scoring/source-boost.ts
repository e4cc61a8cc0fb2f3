// Editorial trust in recall sources: the best boost among the sources that produced the
// item (e.g. "following" 1.0, "trending" 0.4). Unlisted sources give 0. Boosts are looked up
// once per source bit of the block; a candidate then tests its mask against the boosted bits,
// best first, and stops at the first one set.
import { clamp01, type FeatureDefinition } from './feature.js';

export const sourceBoost: FeatureDefinition = {
  name: 'source-boost',
  create(model) {
    const boosts = new Map(Object.entries(model.sourceBoosts));
    return {
      name: 'source-boost',
      computeColumn(c, _user, _nowMs, out) {
        const boosted: Array<{ bit: number; boost: number }> = [];
        c.sourceNames.forEach((source, bit) => {
          const boost = boosts.get(source);
          if (boost !== undefined && boost > 0) boosted.push({ bit, boost: clamp01(boost) });
        });
        boosted.sort((x, y) => (x.boost > y.boost ? -1 : x.boost < y.boost ? 1 : x.bit - y.bit));
        const bits = Int32Array.from(boosted, (b) => b.bit);
        const values = Float64Array.from(boosted, (b) => b.boost);
        const m = bits.length;
        const masks = c.sourceMask;
        for (let i = 0, n = c.count; i < n; i++) {
          const mask = masks[i]!;
          let best = 0;
          for (let k = 0; k < m; k++) {
            if ((mask >>> bits[k]!) & 1) {
              best = values[k]!;
              break;
            }
          }
          out[i] = best;
        }
      },
      value(c, i) {
        const mask = c.sourceMask[i]!;
        let best = 0;
        for (let bit = 0; bit < c.sourceNames.length; bit++) {
          if (((mask >>> bit) & 1) === 0) continue;
          const boost = boosts.get(c.sourceNames[bit]!);
          if (boost !== undefined && boost > best) best = boost;
        }
        return clamp01(best);
      },
    };
  },
};
