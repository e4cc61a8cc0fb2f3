import { create } from '@bufbuild/protobuf';
import { CandidateBlockSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { blockOfCandidates, CandidateBlockError, candidateColumns, compareIdsAt, type CandidateColumns } from '../candidate-block.js';
import { compareIds, type CandidateLike } from '../candidate.js';
import { columnsOfCandidates, isCanonicalUuid } from './candidate-columns.js';

const plain = (c: CandidateColumns) => Object.fromEntries(Object.entries(c).map(([k, v]) => [k, typeof v === 'object' ? Array.from(v as ArrayLike<unknown>) : v]));
const uuid = (i: number) => `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

function candidates(n: number, idOf: (i: number) => string): CandidateLike[] {
  return Array.from({ length: n }, (_, i) => ({
    item: i === 3 ? undefined : { id: idOf(i), kind: i % 4, authorId: `a${i % 7}`, createdAtMs: i % 2 ? BigInt(1_700_000_000_000 + i) : 1_700_000_000_000 - i },
    sources: [['following'], ['trending', 'fresh'], [], ['fresh']][i % 4]!,
    stats: i % 5 === 0 ? undefined : { views: BigInt(i * 1000), likes: i % 3 === 0 ? -2 : i, shares: 2 ** 33, hides: 0.5 },
    recallScore: i / 10,
  }));
}

describe('columnsOfCandidates', () => {
  it('builds exactly the columns of the block builder', () => {
    const cs = candidates(50, uuid).map((c, i) => (i === 3 ? { ...c, item: { id: uuid(3), kind: 0, authorId: '', createdAtMs: 0 } } : c));
    expect(plain(columnsOfCandidates(cs))).toEqual(plain(candidateColumns(create(CandidateBlockSchema, blockOfCandidates(cs)))));
  });

  it('gives other ids surrogates in the same order, and keeps every other column', () => {
    const odd = (i: number) => ['b', 'a', 'B', 'ä', 'a', ''][i % 6]! + String(i % 4);
    const cs = candidates(40, odd);
    const columns = columnsOfCandidates(cs);
    const withUuids = columnsOfCandidates(cs.map((c, i) => ({ ...c, item: c.item && { ...c.item, id: uuid(i) } })));
    expect(plain({ ...columns, ids: new Uint8Array(0) })).toEqual(plain({ ...withUuids, ids: new Uint8Array(0) }));
    const idOf = (i: number) => cs[i]!.item?.id ?? '';
    for (let i = 0; i < cs.length; i++) {
      for (let j = 0; j < cs.length; j++) expect(compareIdsAt(columns.ids, i, j), `${idOf(i)} vs ${idOf(j)}`).toBe(compareIds(idOf(i), idOf(j)));
    }
  });

  it('refuses more than 32 distinct sources', () => {
    const many = [{ item: { id: uuid(1), kind: 1, authorId: 'a', createdAtMs: 0 }, sources: Array.from({ length: 33 }, (_, s) => `s${s}`), recallScore: 0 }];
    expect(() => columnsOfCandidates(many)).toThrow(CandidateBlockError);
  });

  it('knows canonical UUIDs', () => {
    expect(isCanonicalUuid(uuid(255))).toBe(true);
    expect(isCanonicalUuid(uuid(255).toUpperCase())).toBe(false);
    expect(isCanonicalUuid('00000000-0000-4000-8000-00000000000')).toBe(false);
    expect(isCanonicalUuid('00000000-0000-4000-8000_000000000000')).toBe(false);
    expect(isCanonicalUuid('0000000g-0000-4000-8000-000000000000')).toBe(false);
  });
});
