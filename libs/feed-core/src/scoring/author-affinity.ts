// How much the user cares about the item's author (follows, past engagement). The user's map is
// read once per distinct author of the block (its authors dictionary), then every candidate
// reads its author's entry by index.
// A follow edge is a starting affinity: a candidate from the in-network recall source
// (`model.inNetworkSource`, "following": the viewer follows its author) gets at least
// `model.followedAuthorAffinity`, so a just-followed author (no engagement history yet, no
// affinity entry) is not scored as a stranger.
import type { CandidateColumns } from '../candidate-block.js';
import { clamp01, type FeatureDefinition, type UserFeatures } from './feature.js';

const affinityOf = (user: UserFeatures, authorId: string | undefined) =>
  authorId === undefined ? 0 : clamp01(user.authorAffinity.get(authorId) ?? 0);

/** Affinity by author index of `columns.authors`. */
export function authorAffinityTable(columns: CandidateColumns, user: UserFeatures): Float64Array {
  const authors = columns.authors;
  const table = new Float64Array(authors.length);
  if (user.authorAffinity.size > 0) for (let a = 0; a < authors.length; a++) table[a] = affinityOf(user, authors[a]);
  return table;
}

/** The sourceMask bit index of `source` in the block, or -1 when the block has no such source. */
export function sourceBitIndexOf(columns: CandidateColumns, source: string): number {
  const bit = columns.sourceNames.indexOf(source);
  return bit > 31 ? -1 : bit;
}

export const authorAffinity: FeatureDefinition = {
  name: 'author-affinity',
  create(model) {
    const floor = clamp01(model.followedAuthorAffinity);
    const source = model.inNetworkSource;
    return {
      name: 'author-affinity',
      computeColumn(c, user, _nowMs, out) {
        const table = authorAffinityTable(c, user);
        const authorIndex = c.authorIndex;
        const n = c.count;
        const bit = floor > 0 ? sourceBitIndexOf(c, source) : -1;
        if (bit < 0) {
          for (let i = 0; i < n; i++) out[i] = table[authorIndex[i]!]!;
          return;
        }
        // Branch-free: entry 2a is author a's affinity, 2a + 1 the same with the follow floor.
        const pair = new Float64Array(2 * table.length);
        for (let a = 0; a < table.length; a++) {
          pair[2 * a] = table[a]!;
          pair[2 * a + 1] = table[a]! < floor ? floor : table[a]!;
        }
        const masks = c.sourceMask;
        for (let i = 0; i < n; i++) out[i] = pair[(authorIndex[i]! << 1) | ((masks[i]! >>> bit) & 1)]!;
      },
      value(c, i, user) {
        const a = affinityOf(user, c.authors[c.authorIndex[i]!]);
        const bit = floor > 0 ? sourceBitIndexOf(c, source) : -1;
        return bit >= 0 && ((c.sourceMask[i]! >>> bit) & 1) === 1 && a < floor ? floor : a;
      },
    };
  },
};
