import { create } from '@bufbuild/protobuf';
import { CandidateSchema, ItemKind, ItemRefSchema, type Candidate } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { mergeCandidates } from './merge-candidates.js';

function cand(id: string, createdAtMs: number, recallScore = 0, sources: string[] = []): Candidate {
  return create(CandidateSchema, {
    item: create(ItemRefSchema, { id, kind: ItemKind.ARTICLE, authorId: 'u', createdAtMs: BigInt(createdAtMs) }),
    recallScore,
    sources,
  });
}

const ids = (cs: Candidate[]) => cs.map((c) => c.item!.id);

describe('mergeCandidates', () => {
  it('dedupes by id, keeping every source in the given order and the max recall score', () => {
    const merged = mergeCandidates(
      [
        { source: 'following', candidates: [cand('a', 10, 0.2), cand('b', 20, 0.5)] },
        { source: 'trending', candidates: [cand('a', 10, 0.9), cand('c', 5, 0.1)] },
        { source: 'fresh', candidates: [cand('a', 10, 0.4), cand('b', 20, 0.1)] },
      ],
      new Set(),
      Infinity,
    );
    expect(ids(merged)).toEqual(['b', 'a', 'c']);
    const a = merged.find((c) => c.item!.id === 'a')!;
    expect(a.sources).toEqual(['following', 'trending', 'fresh']);
    expect(a.recallScore).toBe(0.9);
    expect(merged[0]!.sources).toEqual(['following', 'fresh']);
    expect(merged[0]!.recallScore).toBe(0.5);
    expect(merged[0]!.$typeName).toBe('feedmesh.recall.v1.Candidate');
  });

  it('keeps sources a candidate already listed, after the source that returned it', () => {
    const merged = mergeCandidates(
      [
        { source: 'composite', candidates: [cand('a', 1, 0, ['following', 'composite'])] },
        { source: 'trending', candidates: [cand('a', 1, 0, ['following'])] },
      ],
      new Set(),
      10,
    );
    expect(merged[0]!.sources).toEqual(['composite', 'following', 'trending']);
  });

  it('orders most recent first, ties by id, and caps at the limit', () => {
    const merged = mergeCandidates(
      [{ source: 's', candidates: [cand('b', 5), cand('z', 9), cand('a', 5), cand('c', 5), cand('y', 1)] }],
      new Set(),
      4,
    );
    expect(ids(merged)).toEqual(['z', 'a', 'b', 'c']);
  });

  it('does not depend on the order candidates arrive in within a source', () => {
    const list = [cand('d', 3), cand('a', 3), cand('c', 7), cand('b', 1)];
    const forward = mergeCandidates([{ source: 's', candidates: list }], new Set(), 10);
    const backward = mergeCandidates([{ source: 's', candidates: [...list].reverse() }], new Set(), 10);
    expect(ids(forward)).toEqual(ids(backward));
  });

  it('drops excluded ids and candidates without an item', () => {
    const noItem = create(CandidateSchema, { recallScore: 1 });
    const merged = mergeCandidates(
      [
        { source: 'x', candidates: [cand('a', 1), cand('b', 2), noItem] },
        { source: 'y', candidates: [cand('b', 2), cand('c', 3)] },
      ],
      new Set(['b']),
      10,
    );
    expect(ids(merged)).toEqual(['c', 'a']);
  });

  it('never mutates its input', () => {
    const a = cand('a', 1, 0.1);
    mergeCandidates([{ source: 'x', candidates: [a] }, { source: 'y', candidates: [cand('a', 1, 0.8)] }], new Set(), 10);
    expect(a.sources).toEqual([]);
    expect(a.recallScore).toBe(0.1);
  });

  it('returns nothing for limit 0 and rejects a negative limit', () => {
    expect(mergeCandidates([{ source: 'x', candidates: [cand('a', 1)] }], new Set(), 0)).toEqual([]);
    expect(() => mergeCandidates([], new Set(), -1)).toThrow(RangeError);
  });

  it('accepts plain objects with number timestamps', () => {
    const plain = (id: string, ms: number) => ({
      item: { id, kind: ItemKind.VIDEO, authorId: 'u', createdAtMs: ms },
      sources: [],
      recallScore: 0,
    });
    expect(mergeCandidates([{ source: 's', candidates: [plain('a', 1), plain('b', 2)] }], new Set(), 5).map((c) => c.item.id)).toEqual(['b', 'a']);
  });
});
