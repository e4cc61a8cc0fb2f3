// Selector "diversity": feed-core's greedy re-rank, as array code over the reachable prefix of
// the score order (kind bytes and interned authors), so that no more than N items of one kind or
// one author run back to back.
import { diversifyColumns, type CandidateColumns } from '@feedmesh/feed-core';
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
    select: (ranked, limit) => diversifyColumns(columns, ranked, settings, { limit, lookahead: settings.lookahead }),
  };
}
