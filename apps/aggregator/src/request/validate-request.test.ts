import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { CountNewItemsRequestSchema, GetFeedRequestSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { validateCountRequest, validateRequest } from './validate-request.js';

const feeds = ['for-you', 'following'];
const validate = (r: Parameters<typeof validateRequest>[0]) => validateRequest(r, feeds);

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
    expect(validate(req({ userId: 'u1' })).pageSize).toBe(20);
    expect(validate(req({ userId: 'u1', pageSize: 1 })).pageSize).toBe(1);
    expect(validate(req({ userId: 'u1', pageSize: 100, debug: true }))).toEqual({ userId: 'u1', feedId: 'for-you', pageSize: 100, cursor: '', newerThan: '', debug: true });
  });

  it('names the offending field', () => {
    expect(fieldOf(() => validate(req({})))).toBe('user_id');
    expect(fieldOf(() => validate(req({ userId: 'a{b}' })))).toBe('user_id');
    expect(fieldOf(() => validate(req({ userId: 'u1', pageSize: 101 })))).toBe('page_size');
    expect(fieldOf(() => validate(req({ userId: 'u1', feedId: 'trending' })))).toBe('feed_id');
    expect(fieldOf(() => validate(req({ userId: 'u1', feedId: 'FOR-YOU' })))).toBe('feed_id');
    expect(fieldOf(() => validate(req({ userId: 'u1', cursor: 'c', newerThan: 'n' })))).toBe('newer_than');
  });

  it('checks CountNewItems like GetFeed, with its cursor required', () => {
    const count = (init: Parameters<typeof create<typeof CountNewItemsRequestSchema>>[1]) => validateCountRequest(create(CountNewItemsRequestSchema, init), feeds);
    expect(count({ userId: 'u1', cursor: 'c' })).toEqual({ userId: 'u1', feedId: 'for-you', cursor: 'c' });
    expect(fieldOf(() => count({ userId: 'u1' }))).toBe('cursor');
    expect(fieldOf(() => count({ userId: 'u 1', cursor: 'c' }))).toBe('user_id');
    expect(fieldOf(() => count({ userId: 'u1', cursor: 'c', feedId: 'nope' }))).toBe('feed_id');
  });

  it('selects a declared feed; an empty feed_id is for-you', () => {
    expect(validate(req({ userId: 'u1', feedId: 'following' })).feedId).toBe('following');
    expect(validate(req({ userId: 'u1' })).feedId).toBe('for-you');
    expect(() => validate(req({ userId: 'u1', feedId: 'x'.repeat(500) }))).toThrow(/unknown feed "x{64}"… \(500 chars\) \(known: for-you, following\)/);
  });

  it('rejects a user id no users row can have before anything looks it up', () => {
    // NUL (Postgres cannot store it), other controls, line and paragraph separators, format
    // characters, lone surrogates, whitespace, Redis hash-tag braces, too long.
    for (const userId of ['u\u0000', 'u\u0007', 'u\u007f', 'u\u0085', 'u\u2028', 'u\u200b', 'u\ud800', '\udc00u', 'u 1', 'u\t1', 'u|1', 'u'.repeat(129)]) {
      expect(fieldOf(() => validate(req({ userId }))), JSON.stringify(userId)).toBe('user_id');
    }
    for (const userId of ['u1', '3f2b9c1e-7a4d-4e8f-9b6a-1c2d3e4f5a6b', 'alice@example.org', 'usuário', '用户', 'u\u{1F600}', 'u'.repeat(128)]) {
      expect(validate(req({ userId })).userId).toBe(userId);
    }
  });
});
