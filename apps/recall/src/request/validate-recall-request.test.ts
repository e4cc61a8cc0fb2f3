import type { ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { validateRecallRequest } from './validate-recall-request.js';

const known = ['following', 'trending', 'interest'];
const base = { userId: 'u1', limit: 0, excludeIds: [] as string[], sources: [] as string[], createdBeforeMs: 0n };

function rejection(req: Partial<typeof base>): string {
  try {
    validateRecallRequest({ ...base, ...req }, known);
  } catch (error) {
    return (error as ConnectError).rawMessage;
  }
  return 'accepted';
}

describe('validateRecallRequest', () => {
  it('applies the defaults', () => {
    const valid = validateRecallRequest({ ...base, excludeIds: ['a', 'a'] }, known);
    expect(valid).toEqual({ userId: 'u1', limit: 500, exclude: new Set(['a']), sources: known, createdBeforeMs: undefined });
    expect(validateRecallRequest({ ...base, createdBeforeMs: 1_700_000_000_000n }, known).createdBeforeMs).toBe(1_700_000_000_000);
  });

  it('keeps the service order of requested sources, without repeats', () => {
    expect(validateRecallRequest({ ...base, sources: ['interest', 'following', 'interest'] }, known).sources).toEqual(['following', 'interest']);
  });

  it('names the offending field', () => {
    expect(rejection({ userId: '' })).toMatch(/^user_id:/);
    expect(rejection({ userId: 'a|b' })).toMatch(/^user_id:/);
    expect(rejection({ limit: 5001 })).toMatch(/^limit:/);
    expect(rejection({ limit: 5000 })).toBe('accepted');
    expect(rejection({ excludeIds: Array.from({ length: 10_001 }, (_, i) => String(i)) })).toMatch(/^exclude_ids:/);
    expect(rejection({ sources: ['trending', 'magic'] })).toMatch(/^sources\[1\]: unknown source "magic"/);
    // Quoted in the error, not echoed: an echoed 100 KB value breaks a gRPC client's connection.
    expect(rejection({ sources: ['u1'.repeat(50_000)] })).toMatch(/^sources\[0\]: unknown source "(u1){32}"… \(100000 chars\); known: /);
    expect(rejection({ createdBeforeMs: -1n })).toMatch(/^created_before_ms:/);
  });
});
