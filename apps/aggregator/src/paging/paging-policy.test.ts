import { Code, ConnectError } from '@connectrpc/connect';
import { encodeCursor, type CursorPayload } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { advanceSession, isLastPage, planPaging, readCursor } from './paging-policy.js';
import type { StoredSession } from './session-store.js';

const secrets = ['0123456789abcdef-one', '0123456789abcdef-two'];
const payload: CursorPayload = { sessionId: 's1', userId: 'u1', feedId: 'following', hlc: { wallMs: 50, logical: 0 } };
const session: StoredSession = {
  sessionId: 's1',
  userId: 'u1',
  lastHlc: { wallMs: 50, logical: 0 },
  previousHlc: { wallMs: 40, logical: 1 },
  page: 2,
  snapshotMs: 1_000,
  servedCount: 40,
  nextCursor: 'x',
};

function codeOf(fn: () => unknown): Code | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof ConnectError ? error.code : undefined;
  }
  return undefined;
}

describe('readCursor', () => {
  it('accepts a cursor signed by any configured secret', () => {
    expect(readCursor(encodeCursor(payload, secrets[1]!), secrets, 'following')).toEqual(payload);
  });

  it('binds the cursor to its feed: another feed_id is InvalidArgument naming cursor; a feed-less (v2) cursor pages for-you', () => {
    const token = encodeCursor(payload, secrets);
    expect(() => readCursor(token, secrets, 'for-you')).toThrow(/cursor: belongs to feed "following", not "for-you"/);
    const legacy = encodeCursor({ ...payload, feedId: '' }, secrets);
    expect(readCursor(legacy, secrets, 'for-you').sessionId).toBe('s1');
    expect(codeOf(() => readCursor(legacy, secrets, 'following'))).toBe(Code.InvalidArgument);
  });

  it('rejects malformed and tampered cursors as InvalidArgument naming cursor', () => {
    const token = encodeCursor(payload, secrets);
    const tampered = token.slice(0, -2) + (token.endsWith('AA') ? 'BB' : 'AA');
    for (const bad of ['garbage', tampered, token.replace(/^v\d+/, 'v9')]) {
      try {
        readCursor(bad, secrets, 'following');
        expect.unreachable();
      } catch (error) {
        expect((error as ConnectError).code).toBe(Code.InvalidArgument);
        expect((error as ConnectError).message).toMatch(/cursor/);
      }
    }
  });
});

describe('planPaging', () => {
  it('advances on the latest cursor and replays the one before it', () => {
    expect(planPaging(payload, session, 'u1', 0).action).toBe('advance');
    expect(planPaging({ ...payload, hlc: { wallMs: 40, logical: 1 } }, session, 'u1', 0).action).toBe('replay');
  });

  it('maps rejections to FailedPrecondition or Aborted', () => {
    expect(codeOf(() => planPaging(payload, session, 'u2', 0))).toBe(Code.FailedPrecondition);
    expect(codeOf(() => planPaging(payload, undefined, 'u1', 0))).toBe(Code.FailedPrecondition);
    expect(codeOf(() => planPaging({ ...payload, hlc: { wallMs: 60, logical: 0 } }, session, 'u1', 0))).toBe(Code.FailedPrecondition);
    expect(codeOf(() => planPaging({ ...payload, hlc: { wallMs: 10, logical: 0 } }, session, 'u1', 0))).toBe(Code.Aborted);
  });
});

describe('isLastPage', () => {
  it('ends the session when nothing remains or the page cap is reached', () => {
    expect(isLastPage({ exhausted: true, page: 1, maxPages: 50 })).toBe(true);
    expect(isLastPage({ exhausted: false, page: 50, maxPages: 50 })).toBe(true);
    expect(isLastPage({ exhausted: false, page: 3, maxPages: 50 })).toBe(false);
  });
});

describe('advanceSession', () => {
  it('issues a signed next cursor carrying the new page, hlc and served count', () => {
    const hlc = { wallMs: 70, logical: 0 };
    const next = advanceSession({ previous: session, sessionId: 's1', userId: 'u1', feedId: 'for-you', snapshotMs: 1_000, hlc, served: 20, last: false }, secrets);
    expect(next).toMatchObject({ page: 3, servedCount: 60, lastHlc: hlc, previousHlc: session.lastHlc });
    expect(readCursor(next.nextCursor, secrets, 'for-you')).toEqual({ sessionId: 's1', userId: 'u1', feedId: 'for-you', hlc });
  });

  it('issues no cursor on the last page and starts a new session at page 1', () => {
    const first = advanceSession({ previous: undefined, sessionId: 's2', userId: 'u1', feedId: 'for-you', snapshotMs: 5, hlc: { wallMs: 5, logical: 0 }, served: 3, last: true }, secrets);
    expect(first).toMatchObject({ page: 1, servedCount: 3, nextCursor: '', previousHlc: undefined });
  });
});
