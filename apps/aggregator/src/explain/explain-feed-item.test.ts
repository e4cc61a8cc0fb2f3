import { create, toBinary } from '@bufbuild/protobuf';
import { CandidateBlockSchema, ExplainOutcome } from '@feedmesh/contracts';
import { CandidateBlockBuilder } from '@feedmesh/feed-core';
import { NO_PREFERENCES, parseViewerPreferences } from '@feedmesh/storage';
import { describe, expect, it } from 'vitest';
import { entry } from '../../test/unit-fixtures.js';
import { alreadyServedFilter } from '../filters/already-served-filter.js';
import { applyFilters } from '../filters/apply-filters.js';
import { mutedFilter } from '../filters/muted-filter.js';
import type { BuiltSkeleton } from '../pipeline/build-skeleton.js';
import type { FilterContext } from '../pipeline/components.js';
import type { SkeletonEntry } from '../pipeline/skeleton-entry.js';
import { explainItem } from './explain-feed-item.js';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const filters = [mutedFilter, alreadyServedFilter];

/** A first page's built skeleton: `ranked` in the ranking's order, `recalled` the candidate block's ids. */
function built(ranked: SkeletonEntry[], recalled: string[], context: FilterContext, previousPage = 0): BuiltSkeleton {
  const block = new CandidateBlockBuilder();
  for (const itemId of recalled) block.add({ id: itemId, kind: 1, authorId: 'a', createdAtMs: 1, sources: ['interest', 'trending'], recallScore: 0 });
  const skeleton = {
    entries: ranked,
    breakdowns: ranked.map((e) => ({ itemId: e.id, score: e.score, features: [{ feature: 'freshness', value: 1, weight: e.score, contribution: e.score }] })),
    recalled: toBinary(CandidateBlockSchema, create(CandidateBlockSchema, block.build())),
    rankedBy: 'ranking',
    modelVersion: 'm1',
  };
  const session = previousPage === 0 ? { action: 'open', previous: undefined } : { action: 'advance', previous: { page: previousPage } };
  return { fetched: { entries: ranked }, skeleton, filtered: applyFilters(ranked, filters, context), session, filterContext: context, selected: undefined } as unknown as BuiltSkeleton;
}

describe('explainItem', () => {
  // The ranking placed id(2) (score 0.5) before id(1) (score 0.9): a selector's move.
  const ranked = [entry(id(0), 1), entry(id(2), 0.5), entry(id(1), 0.9), entry(id(3), 0.2)];
  const context: FilterContext = { snapshotMs: 10_000, served: new Set(), preferences: NO_PREFERENCES };

  it('places a kept item: score rank, position after the selectors, page, sources and breakdown', () => {
    const e = explainItem(id(2), 2, built(ranked, [], context, 3), filters, new Set());
    expect(e).toMatchObject({ outcome: ExplainOutcome.IN_FEED, scoreRank: 3, rankedPosition: 2, position: 2, page: 4, sources: ['following'], filteredBy: '' });
    expect(e.breakdown).toMatchObject({ itemId: id(2), score: 0.5 });
    expect(e.filters).toEqual([{ filter: 'muted', kept: true }, { filter: 'already-served', kept: true }]);
    expect(e.summary).toBe("Ranked 3rd by score, 2nd after the ranking's selectors; on page 4, position 2.");
    expect(explainItem(id(3), 2, built(ranked, [], context), filters, new Set())).toMatchObject({ page: 2, position: 4 });
  });

  it('names the filter that drops an item, and every filter verdict', () => {
    const muted = { ...context, preferences: parseViewerPreferences({ [`mute:a-${id(1)}`]: '0' }, 1) };
    const e = explainItem(id(1), 20, built(ranked, [], muted), filters, new Set());
    expect(e).toMatchObject({ outcome: ExplainOutcome.FILTERED, filteredBy: 'muted', position: 0, page: 0 });
    expect(e.filters).toEqual([{ filter: 'muted', kept: false }, { filter: 'already-served', kept: true }]);
    expect(e.summary).toMatch(/removed by the muted filter\.$/);
  });

  it('tells apart served before, recalled but ranked beyond the window, and not recalled', () => {
    const b = built(ranked, [id(7)], context);
    expect(explainItem(id(8), 20, b, filters, new Set([id(8)]))).toMatchObject({ outcome: ExplainOutcome.FILTERED, filteredBy: 'already-served' });
    expect(explainItem(id(7), 20, b, filters, new Set())).toMatchObject({ outcome: ExplainOutcome.BEYOND_RANKED_WINDOW, sources: ['interest', 'trending'] });
    expect(explainItem(id(9), 20, b, filters, new Set())).toMatchObject({ outcome: ExplainOutcome.NOT_RECALLED, summary: 'No recall source produced it for this user.' });
  });
});
