// Selector "diversity": feed-core's greedy re-rank, as array code over the reachable prefix of
// the score order, so that no more than N items of one kind or one author run back to back.
// Kinds are the block's bytes; authors are compared by name (two dictionary entries with one
// name are one author), interned once per dictionary entry the prefix reaches.
import { diversifyRuns, type CandidateColumns } from '@feedmesh/feed-core';
import type { DiversitySettings } from '../model/ranking-model.js';

export { diversityReach } from '@feedmesh/feed-core';

export interface DiversitySelector {
  readonly name: 'diversity';
  /** `limit` candidate indexes from `ranked`, the best-first reachable prefix (diversityReach). */
  select(ranked: Int32Array, limit: number): Int32Array;
}

export function createDiversitySelector(columns: CandidateColumns, settings: DiversitySettings): DiversitySelector {
  return {
    name: 'diversity',
    select(ranked, limit) {
      const m = ranked.length;
      const kinds = new Uint8Array(m);
      const authors = new Int32Array(m);
      const authorIds = new Map<string, number>();
      const byEntry = new Int32Array(columns.authors.length).fill(-1);
      for (let p = 0; p < m; p++) {
        const i = ranked[p]!;
        kinds[p] = columns.kinds[i]!;
        const entry = columns.authorIndex[i]!;
        let id = byEntry[entry]!;
        if (id < 0) {
          const name = columns.authors[entry]!;
          id = authorIds.get(name) ?? authorIds.size;
          authorIds.set(name, id);
          byEntry[entry] = id;
        }
        authors[p] = id;
      }
      const positions = diversifyRuns(kinds, authors, settings, { limit, lookahead: settings.lookahead });
      const picked = new Int32Array(positions.length);
      for (let k = 0; k < positions.length; k++) picked[k] = ranked[positions[k]!]!;
      return picked;
    },
  };
}
