// Editorial trust in recall sources: the best boost among the sources that produced the
// item (e.g. "following" 1.0, "trending" 0.4). Unlisted sources give 0. Boosts are looked up
// once per source bit of the block; a block with a handful of sources (the usual case) then gets
// a table of the best boost for every combination of bits, read once per candidate by its mask;
// with many sources a candidate tests its mask against the boosted bits, best first.
import type { CandidateColumns } from '../candidate-block.js';
import { clamp01, type FeatureDefinition } from './feature.js';

/** Up to this many source names, the best boost of every mask is tabled (2^n entries). */
const TABLE_SOURCES = 12;

export const sourceBoost: FeatureDefinition = {
  name: 'source-boost',
  create(model) {
    const boosts = new Map(Object.entries(model.sourceBoosts));
    /** clamp01 of the boost of source bit b (0 for unlisted and non-positive boosts). */
    const bitBoosts = (c: CandidateColumns) =>
      Float64Array.from(c.sourceNames, (source) => {
        const boost = boosts.get(source);
        return boost !== undefined && boost > 0 ? clamp01(boost) : 0;
      });
    return {
      name: 'source-boost',
      computeColumn(c, _user, _nowMs, out) {
        const perBit = bitBoosts(c);
        const masks = c.sourceMask;
        const n = c.count;
        if (perBit.length <= TABLE_SOURCES) {
          // best[m] = max(best[m without its lowest bit], boost of its lowest bit).
          const best = new Float64Array(1 << perBit.length);
          for (let m = 1; m < best.length; m++) {
            const low = 31 - Math.clz32(m & -m);
            const rest = best[m & (m - 1)]!;
            best[m] = perBit[low]! > rest ? perBit[low]! : rest;
          }
          const known = best.length - 1;
          for (let i = 0; i < n; i++) out[i] = best[masks[i]! & known]!;
          return;
        }
        const order = Array.from(perBit.keys())
          .filter((b) => perBit[b]! > 0)
          .sort((x, y) => (perBit[x]! > perBit[y]! ? -1 : perBit[x]! < perBit[y]! ? 1 : x - y));
        const bits = Int32Array.from(order);
        const values = Float64Array.from(order, (b) => perBit[b]!);
        const m = bits.length;
        for (let i = 0; i < n; i++) {
          const mask = masks[i]!;
          let value = 0;
          for (let k = 0; k < m; k++) {
            if ((mask >>> bits[k]!) & 1) {
              value = values[k]!;
              break;
            }
          }
          out[i] = value;
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
