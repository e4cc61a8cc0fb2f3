import { describe, expect, it } from 'vitest';
import { checkCursor, type PagingSessionState } from './check-cursor.js';
import type { CursorPayload } from './cursor.js';

const now = 1_700_000_000_000;
const payload: CursorPayload = {
  sessionId: 's1',
  userId: 'u1',
  feedId: 'for-you',
  hlc: { wallMs: now - 1000, logical: 1 },
};
const session: PagingSessionState = {
  userId: 'u1',
  lastHlc: payload.hlc,
  previousHlc: { wallMs: now - 5000, logical: 0 },
  expiresAtMs: now + 60_000,
};

describe('checkCursor', () => {
  it('advances on the latest cursor of the session', () => {
    expect(checkCursor(payload, { userId: 'u1', session, nowMs: now })).toEqual({ ok: true, action: 'advance' });
  });

  it('replays the page for the cursor before the latest (a retried request)', () => {
    const retried = { ...payload, hlc: session.previousHlc! };
    expect(checkCursor(retried, { userId: 'u1', session, nowMs: now })).toEqual({ ok: true, action: 'replay' });
  });

  it('aborts on an older cursor that has been superseded', () => {
    const old = { ...payload, hlc: { wallMs: now - 9000, logical: 0 } };
    expect(checkCursor(old, { userId: 'u1', session, nowMs: now })).toEqual({ ok: false, reason: 'superseded', code: 'aborted' });
    const { previousHlc: _none, ...noPrevious } = session;
    const retried = { ...payload, hlc: session.previousHlc! };
    expect(checkCursor(retried, { userId: 'u1', session: noPrevious, nowMs: now })).toMatchObject({ reason: 'superseded' });
  });

  it('refuses a cursor of another user', () => {
    expect(checkCursor(payload, { userId: 'u2', session, nowMs: now })).toEqual({
      ok: false,
      reason: 'wrong_user',
      code: 'failed_precondition',
    });
    expect(checkCursor(payload, { userId: 'u1', session: { ...session, userId: 'u2' }, nowMs: now })).toMatchObject({
      reason: 'wrong_user',
    });
  });

  it('refuses a cursor whose session is gone or expired', () => {
    const expired = { ok: false, reason: 'session_expired', code: 'failed_precondition' };
    expect(checkCursor(payload, { userId: 'u1', session: undefined, nowMs: now })).toEqual(expired);
    expect(checkCursor(payload, { userId: 'u1', session: { ...session, expiresAtMs: now }, nowMs: now })).toEqual(expired);
    const { expiresAtMs: _none, ...noExpiry } = session;
    expect(checkCursor(payload, { userId: 'u1', session: noExpiry, nowMs: now + 1e9 })).toMatchObject({ ok: true });
  });

  it('refuses a cursor newer than the session knows', () => {
    const ahead = { ...payload, hlc: { ...payload.hlc, logical: 2 } };
    expect(checkCursor(ahead, { userId: 'u1', session, nowMs: now })).toEqual({
      ok: false,
      reason: 'session_behind',
      code: 'failed_precondition',
    });
  });
});
