import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { CandidateSchema, RankRequestSchema, type RankRequest } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { MAX_CANDIDATES, validateRankRequest } from './validate-rank-request.js';

const candidate = (id: string) => create(CandidateSchema, { item: { id, authorId: 'a' } });

function violationOf(req: RankRequest): { code: Code; field: string | null; message: string } {
  try {
    validateRankRequest(req);
  } catch (e) {
    const error = e as ConnectError;
    return { code: error.code, field: error.metadata.get('x-field-violation'), message: error.rawMessage };
  }
  throw new Error('expected the request to be rejected');
}

describe('validateRankRequest', () => {
  it('accepts a user with candidates, and a user with none', () => {
    expect(() => validateRankRequest(create(RankRequestSchema, { userId: 'u1', candidates: [candidate('i1')] }))).not.toThrow();
    expect(() => validateRankRequest(create(RankRequestSchema, { userId: 'u1' }))).not.toThrow();
  });

  it('requires user_id', () => {
    expect(violationOf(create(RankRequestSchema, { userId: '  ' }))).toMatchObject({ code: Code.InvalidArgument, field: 'user_id' });
  });

  it('names the first candidate without an item id', () => {
    const req = create(RankRequestSchema, { userId: 'u1', candidates: [candidate('i1'), candidate('i2'), create(CandidateSchema, {}), candidate('')] });
    expect(violationOf(req)).toEqual({ code: Code.InvalidArgument, field: 'candidates[2].item.id', message: 'candidates[2].item.id: is required' });
  });

  it('accepts exactly the maximum number of candidates and rejects one more', () => {
    const shared = candidate('i');
    const atLimit = create(RankRequestSchema, { userId: 'u1', candidates: new Array(MAX_CANDIDATES).fill(shared) });
    expect(() => validateRankRequest(atLimit)).not.toThrow();
    atLimit.candidates.push(shared);
    expect(violationOf(atLimit)).toMatchObject({ field: 'candidates', message: expect.stringContaining('at most 100000') });
  });

  it('rejects a negative now_ms', () => {
    expect(violationOf(create(RankRequestSchema, { userId: 'u1', nowMs: -1n }))).toMatchObject({ field: 'now_ms' });
  });
});
