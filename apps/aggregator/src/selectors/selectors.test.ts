import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CandidateBlockSchema, RankedBlockSchema } from '@feedmesh/contracts';
import { CandidateBlockBuilder, candidateColumns, rankedBlockOf, rankedEntries } from '@feedmesh/feed-core';
import { NO_PREFERENCES, parseViewerPreferences } from '@feedmesh/storage';
import { describe, expect, it } from 'vitest';
import type { SelectorContext, Skeleton } from '../pipeline/components.js';
import { toSkeletonEntries } from '../pipeline/skeleton-entry.js';
import { applySelectors } from './apply-selectors.js';
import { SHOWN_LESS_SHIFT, shownLessAuthorSelector } from './shown-less-author-selector.js';
import { shownLessTopicSelector } from './shown-less-topic-selector.js';
import { unseenFirstSelector } from './unseen-first-selector.js';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const rows = (n: number, author = (i: number) => `a${i % 3}`) => Array.from({ length: n }, (_, i) => ({ id: id(i), authorId: author(i) }));
const context = (fields: Partial<SelectorContext> = {}): SelectorContext => ({ preferences: NO_PREFERENCES, seen: new Set(), lessTopicItems: new Set(), seenItems: 'demote', minKeep: 3, ...fields });

describe('unseenFirstSelector', () => {
  it('moves seen entries behind unseen ones, keeping the ranked order within each (stable)', () => {
    const order = unseenFirstSelector.order(rows(6), context({ seen: new Set([id(0), id(3)]) }));
    expect(order).toEqual([1, 2, 4, 5, 0, 3]);
  });

  it('moves nothing (undefined) when no entry is seen', () => {
    expect(unseenFirstSelector.order(rows(4), context())).toBeUndefined();
    expect(unseenFirstSelector.order(rows(4), context({ seen: new Set(['other']) }))).toBeUndefined();
  });

  it('drop removes seen entries, but keeps minKeep entries (the best seen ones fill up)', () => {
    expect(unseenFirstSelector.order(rows(6), context({ seenItems: 'drop', seen: new Set([id(0), id(3)]) }))).toEqual([1, 2, 4, 5]);
    expect(unseenFirstSelector.order(rows(4), context({ seenItems: 'drop', minKeep: 3, seen: new Set([id(0), id(1), id(2)]) }))).toEqual([3, 0, 1]);
  });
});

describe('shownLessAuthorSelector', () => {
  it(`moves a "show less" author's entries ${SHOWN_LESS_SHIFT} places down, the others keep their order`, () => {
    const entries = rows(30, (i) => (i === 0 || i === 25 ? 'less' : 'other'));
    const prefs = parseViewerPreferences({ 'less-author:less': '0' }, 1);
    const order = shownLessAuthorSelector.order(entries, context({ preferences: prefs }))!;
    expect(order.length).toBe(30);
    expect(order.indexOf(0)).toBe(SHOWN_LESS_SHIFT);
    expect(order.at(-1)).toBe(25);
    expect(order.filter((i) => i !== 0 && i !== 25)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 0 && i !== 25));
  });

  it('moves nothing without a matching mark', () => {
    expect(shownLessAuthorSelector.order(rows(5), context())).toBeUndefined();
    expect(shownLessAuthorSelector.order(rows(5), context({ preferences: parseViewerPreferences({ 'less-author:zz': '0' }, 1) }))).toBeUndefined();
  });
});

describe('shownLessTopicSelector', () => {
  it(`moves the entries of a "show less" topic (its recent items) ${SHOWN_LESS_SHIFT} places down`, () => {
    const order = shownLessTopicSelector.order(rows(25), context({ lessTopicItems: new Set([id(1), id(24)]) }))!;
    expect(order.indexOf(1)).toBe(1 + SHOWN_LESS_SHIFT);
    expect(order.at(-1)).toBe(24);
    expect(order.slice(0, 3)).toEqual([0, 2, 3]);
    expect(shownLessTopicSelector.order(rows(5), context())).toBeUndefined();
  });
});

describe('applySelectors', () => {
  function rankedSkeleton(n: number): Skeleton {
    const builder = new CandidateBlockBuilder();
    for (let i = 0; i < n; i++) builder.add({ id: id(i), kind: 1, authorId: `a${i % 3}`, createdAtMs: 1000 - i, sources: ['following'], recallScore: 0 });
    const columns = candidateColumns(create(CandidateBlockSchema, builder.build()));
    const block = create(RankedBlockSchema, rankedBlockOf(columns, Array.from({ length: n }, (_, i) => i), Array.from({ length: n }, (_, i) => 1 / (i + 1))));
    const entries = toSkeletonEntries(rankedEntries(block));
    return {
      entries,
      window: { kind: 'ranked', window: { block: toBinary(RankedBlockSchema, block), size: n, final: true, modelVersion: 'm' } },
      maxTopUps: 2,
      rankedBy: 'ranking',
      candidateCount: n,
      sources: [],
      breakdowns: [],
      modelVersion: 'm',
    };
  }

  it('reorders the entries and the window stored with the session alike (later pages continue the order)', () => {
    const sk = rankedSkeleton(5);
    const { skeleton, moved } = applySelectors(sk, [shownLessAuthorSelector, unseenFirstSelector], context({ seen: new Set([id(0), id(1)]) }));
    expect(skeleton.entries.map((e) => e.id)).toEqual([id(2), id(3), id(4), id(0), id(1)]);
    expect(moved['unseen-first']).toBe(5);
    const w = skeleton.window;
    if (w.kind !== 'ranked') throw new Error('window kept');
    expect(toSkeletonEntries(rankedEntries(fromBinary(RankedBlockSchema, w.window.block))).map((e) => [e.id, e.authorId, e.score])).toEqual(
      skeleton.entries.map((e) => [e.id, e.authorId, e.score]),
    );
    expect(w.window.size).toBe(5);
  });

  it('drop shrinks the window; nothing to move returns the same skeleton (no decode)', () => {
    const sk = rankedSkeleton(5);
    const dropped = applySelectors(sk, [unseenFirstSelector], context({ seenItems: 'drop', minKeep: 2, seen: new Set([id(0)]) }));
    expect(dropped.skeleton.entries.map((e) => e.id)).toEqual([id(1), id(2), id(3), id(4)]);
    expect(dropped.dropped['unseen-first']).toBe(1);
    expect(dropped.skeleton.window.kind === 'ranked' && dropped.skeleton.window.window.size).toBe(4);
    expect(applySelectors(sk, [unseenFirstSelector, shownLessAuthorSelector], context()).skeleton).toBe(sk);
  });
});
