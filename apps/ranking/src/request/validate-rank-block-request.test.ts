import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { CandidateBlockSchema, RankBlockRequestSchema } from '@feedmesh/contracts';
import { blockOfCandidates } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { validateRankBlockRequest } from './validate-rank-block-request.js';
import { MAX_CANDIDATES } from './validate-rank-request.js';

const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const block = (n: number) =>
  blockOfCandidates(
    Array.from({ length: n }, (_, i) => ({ item: { id: id(i), kind: 1, authorId: `a${i % 2}`, createdAtMs: 1000 + i }, sources: ['following'], recallScore: 0 })),
  );
const encode = (init: Parameters<typeof create<typeof CandidateBlockSchema>>[1]) => toBinary(CandidateBlockSchema, create(CandidateBlockSchema, init));
const request = (candidates: Uint8Array, userId = 'u1') => create(RankBlockRequestSchema, { userId, candidates });

function violationOf(candidates: Uint8Array, userId = 'u1'): { code: Code; field: string | null; message: string } {
  try {
    validateRankBlockRequest(request(candidates, userId));
  } catch (e) {
    const error = e as ConnectError;
    return { code: error.code, field: error.metadata.get('x-field-violation'), message: error.rawMessage };
  }
  throw new Error('expected the request to be rejected');
}

describe('validateRankBlockRequest', () => {
  it('decodes a block into columns, and an empty one into none', () => {
    const columns = validateRankBlockRequest(request(encode(block(3))));
    expect(columns.count).toBe(3);
    expect(Array.from(columns.createdAtMs)).toEqual([1000, 1001, 1002]);
    expect(validateRankBlockRequest(request(new Uint8Array(0))).count).toBe(0);
  });

  it('requires user_id and a non-negative now_ms', () => {
    expect(violationOf(encode(block(1)), ' ')).toMatchObject({ code: Code.InvalidArgument, field: 'user_id' });
    expect(() => validateRankBlockRequest(create(RankBlockRequestSchema, { userId: 'u1', nowMs: -1n }))).toThrow(/now_ms/);
  });

  it('names the column that breaks the layout', () => {
    expect(violationOf(encode({ ...block(2), itemIds: new Uint8Array(20) }))).toMatchObject({ code: Code.InvalidArgument, field: 'candidates', message: expect.stringContaining('column item_ids') });
    expect(violationOf(encode({ ...block(2), kinds: new Uint8Array(1) }))).toMatchObject({ field: 'candidates', message: expect.stringContaining('column kinds') });
    expect(violationOf(encode({ ...block(2), authorIndex: [0, 7] }))).toMatchObject({ field: 'candidates', message: expect.stringContaining('column author_index: author_index[1] = 7') });
    expect(violationOf(encode({ ...block(2), views: [1] }))).toMatchObject({ field: 'candidates', message: expect.stringContaining('column views') });
    expect(violationOf(encode({ ...block(2), createdAtMs: [1, Number.NaN] }))).toMatchObject({ field: 'candidates', message: expect.stringContaining('column created_at_ms') });
  });

  it('rejects bytes that are not a CandidateBlock', () => {
    expect(violationOf(new Uint8Array([0xff, 0xff, 0xff]))).toMatchObject({ code: Code.InvalidArgument, field: 'candidates' });
  });

  it('accepts at most the maximum number of candidates', () => {
    expect(violationOf(encode({ count: MAX_CANDIDATES + 1 }))).toMatchObject({ field: 'candidates', message: expect.stringContaining('column count: is 100001; at most 100000') });
  });
});
