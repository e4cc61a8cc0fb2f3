import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { GetFeedRequestSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { validateRequest } from './validate-request.js';

const req = (init: Parameters<typeof create<typeof GetFeedRequestSchema>>[1]) => create(GetFeedRequestSchema, init);

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    expect((error as ConnectError).code).toBe(Code.InvalidArgument);
    return (error as ConnectError).metadata.get('x-field-violation') ?? undefined;
  }
  return undefined;
}

describe('validateRequest', () => {
  it('defaults page_size 0 to 20 and keeps 1..100', () => {
    expect(validateRequest(req({ userId: 'u1' })).pageSize).toBe(20);
    expect(validateRequest(req({ userId: 'u1', pageSize: 1 })).pageSize).toBe(1);
    expect(validateRequest(req({ userId: 'u1', pageSize: 100, debug: true }))).toEqual({ userId: 'u1', pageSize: 100, cursor: '', debug: true });
  });

  it('names the offending field', () => {
    expect(fieldOf(() => validateRequest(req({})))).toBe('user_id');
    expect(fieldOf(() => validateRequest(req({ userId: 'a{b}' })))).toBe('user_id');
    expect(fieldOf(() => validateRequest(req({ userId: 'u1', pageSize: 101 })))).toBe('page_size');
  });

  it('rejects a user id no users row can have before anything looks it up', () => {
    // NUL (Postgres cannot store it), other controls, line and paragraph separators, format
    // characters, lone surrogates, whitespace, Redis hash-tag braces, too long.
    for (const userId of ['u\u0000', 'u\u0007', 'u\u007f', 'u\u0085', 'u\u2028', 'u\u200b', 'u\ud800', '\udc00u', 'u 1', 'u\t1', 'u|1', 'u'.repeat(129)]) {
      expect(fieldOf(() => validateRequest(req({ userId }))), JSON.stringify(userId)).toBe('user_id');
    }
    for (const userId of ['u1', '3f2b9c1e-7a4d-4e8f-9b6a-1c2d3e4f5a6b', 'alice@example.org', 'usuário', '用户', 'u\u{1F600}', 'u'.repeat(128)]) {
      expect(validateRequest(req({ userId })).userId).toBe(userId);
    }
  });
});
