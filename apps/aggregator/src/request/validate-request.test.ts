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
});
