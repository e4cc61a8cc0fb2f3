// Selector "diversity": feed-core's greedy re-rank over candidate indexes, so that no more than
// N items of one kind or one author run back to back.
import type { Candidate } from '@feedmesh/contracts';
import { diversify, type Selector } from '@feedmesh/feed-core';
import type { DiversitySettings } from '../model/ranking-model.js';

export function createDiversitySelector(candidates: readonly Candidate[], settings: DiversitySettings): Selector<number> {
  const keys = {
    kindOf: (i: number) => candidates[i]!.item?.kind,
    authorOf: (i: number) => candidates[i]!.item?.authorId,
  };
  return {
    name: 'diversity',
    select: (ranked, limit) => diversify(ranked, settings, keys, { limit, lookahead: settings.lookahead }),
  };
}

/**
 * How many of the best-ranked items the selector can ever reach when emitting `limit` items: each
 * slot looks at most `lookahead` items past the head, so only this prefix needs handing over.
 */
export function diversityReach(total: number, limit: number, lookahead: number): number {
  return Math.min(total, limit + lookahead);
}
