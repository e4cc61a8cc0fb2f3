// How much the user cares about the item's author (follows, past engagement). The user's map is
// read once per distinct author of the block (its authors dictionary), then every candidate
// reads its author's entry by index.
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

export const authorAffinity: FeatureDefinition = {
  name: 'author-affinity',
  create() {
    return {
      name: 'author-affinity',
      computeColumn(c, user, _nowMs, out) {
        const table = authorAffinityTable(c, user);
        const authorIndex = c.authorIndex;
        for (let i = 0, n = c.count; i < n; i++) out[i] = table[authorIndex[i]!]!;
      },
      value: (c, i, user) => affinityOf(user, c.authors[c.authorIndex[i]!]),
    };
  },
};
