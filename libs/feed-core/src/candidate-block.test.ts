import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { CandidateBlockSchema, RankedBlockSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import {
  blockOfCandidates,
  CandidateBlockBuilder,
  CandidateBlockError,
  candidateColumns,
  compareIdsAt,
  rankedBlockOf,
  rankedEntries,
  readUuid,
  writeUuid,
} from './candidate-block.js';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

describe('uuid bytes', () => {
  it('round-trips and orders like the canonical strings', () => {
    const ids = ['0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0', 'ffffffff-0000-4000-8000-000000000001', '00000000-0000-4000-8000-00000000000a'];
    const bytes = new Uint8Array(16 * ids.length);
    ids.forEach((s, i) => expect(writeUuid(s.toUpperCase(), bytes, i * 16)).toBe(true));
    expect(ids.map((_, i) => readUuid(bytes, i * 16))).toEqual(ids);
    for (let i = 0; i < ids.length; i++) {
      for (let j = 0; j < ids.length; j++) expect(compareIdsAt(bytes, i, j)).toBe(Math.sign(ids[i]! < ids[j]! ? -1 : ids[i]! > ids[j]! ? 1 : 0));
    }
  });
  it('refuses what is not a UUID', () => {
    const out = new Uint8Array(16);
    for (const bad of ['', 'not-a-uuid', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fg', '0f1e2d3c04b5a-6978-8796-a5b4c3d2e1f0']) expect(writeUuid(bad, out, 0)).toBe(false);
  });
});

describe('CandidateBlockBuilder', () => {
  it('builds columns with author and source dictionaries that survive the wire', () => {
    const b = new CandidateBlockBuilder(1);
    expect(b.add({ id: id(1), kind: 1, authorId: 'a', createdAtMs: 10, views: 5, sources: ['following', 'trending'], recallScore: 0.5 })).toBe(true);
    expect(b.add({ id: id(2), kind: 2, authorId: 'b', createdAtMs: 20, likes: 2 ** 40, sources: ['trending'], recallScore: 0.25 })).toBe(true);
    expect(b.add({ id: 'bad', kind: 1, authorId: 'a', createdAtMs: 1, sources: [], recallScore: 0 })).toBe(false);
    expect(b.add({ id: id(3), kind: 3, authorId: 'a', createdAtMs: 30, sources: [], recallScore: 1 })).toBe(true);
    const wire = fromBinary(CandidateBlockSchema, toBinary(CandidateBlockSchema, create(CandidateBlockSchema, b.build())));
    const c = candidateColumns(wire);
    expect(c.count).toBe(3);
    expect([readUuid(c.ids, 0), readUuid(c.ids, 16), readUuid(c.ids, 32)]).toEqual([id(1), id(2), id(3)]);
    expect(Array.from(c.kinds)).toEqual([1, 2, 3]);
    expect(Array.from(c.authorIndex, (a) => c.authors[a])).toEqual(['a', 'b', 'a']);
    expect(Array.from(c.likes)).toEqual([0, 0xffffffff, 0]);
    expect(c.sourceNames).toEqual(['following', 'trending']);
    expect(Array.from(c.sourceMask)).toEqual([3, 2, 0]);
  });

  it('lists the sources in the order given, whatever order candidates use them in', () => {
    const b = new CandidateBlockBuilder(1, ['following', 'trending', 'interest']);
    b.add({ id: id(1), kind: 1, authorId: 'a', createdAtMs: 10, sources: ['interest', 'trending'], recallScore: 0.5 });
    const c = candidateColumns(b.build());
    expect(c.sourceNames).toEqual(['following', 'trending', 'interest']);
    expect(Array.from(c.sourceMask)).toEqual([6]);
  });
  it('converts v1 candidates and rejects non-UUID ids naming the column', () => {
    const block = blockOfCandidates([{ item: { id: id(7), kind: 2, authorId: 'x', createdAtMs: 5n }, sources: ['fresh'], stats: { views: 3n, likes: 1n, shares: 0n, hides: 0n }, recallScore: 1 }]);
    expect(block.count).toBe(1);
    expect(block.views).toEqual([3]);
    expect(() => blockOfCandidates([{ item: { id: 'x', kind: 1, authorId: 'a', createdAtMs: 0 }, sources: [], recallScore: 0 }])).toThrow(CandidateBlockError);
  });
});

describe('candidateColumns', () => {
  it('reads missing numeric columns as zeros and rejects inconsistent lengths', () => {
    const ok = create(CandidateBlockSchema, { count: 1, itemIds: new Uint8Array(16), kinds: new Uint8Array([1]), authors: ['a'] });
    expect(Array.from(candidateColumns(ok).views)).toEqual([0]);
    const field = (block: Parameters<typeof candidateColumns>[0]) => {
      try {
        candidateColumns(block);
      } catch (error) {
        return (error as CandidateBlockError).field;
      }
      return undefined;
    };
    expect(field({ ...ok, itemIds: new Uint8Array(15) })).toBe('item_ids');
    expect(field({ ...ok, kinds: new Uint8Array(2) })).toBe('kinds');
    expect(field({ ...ok, views: [1, 2] })).toBe('views');
    expect(field({ ...ok, authorIndex: [1] })).toBe('author_index');
  });
});

describe('rankedBlockOf / rankedEntries', () => {
  it('keeps the picked order with scores and sources, compacting the author dictionary', () => {
    const b = new CandidateBlockBuilder();
    for (let i = 0; i < 4; i++) b.add({ id: id(i), kind: 1 + (i % 3), authorId: `a${i}`, createdAtMs: i, sources: i % 2 ? ['following'] : ['trending'], recallScore: 0 });
    const columns = candidateColumns(create(CandidateBlockSchema, b.build()));
    const ranked = rankedBlockOf(columns, [3, 1], new Float64Array([0.1, 0.2, 0.3, 0.4]));
    expect(ranked.authors).toEqual(['a3', 'a1']);
    const entries = rankedEntries(fromBinary(RankedBlockSchema, toBinary(RankedBlockSchema, create(RankedBlockSchema, ranked))));
    expect(entries).toEqual([
      { id: id(3), kind: 1, authorId: 'a3', createdAtMs: 3, score: 0.4, sources: ['following'] },
      { id: id(1), kind: 2, authorId: 'a1', createdAtMs: 1, score: 0.2, sources: ['following'] },
    ]);
  });
});
