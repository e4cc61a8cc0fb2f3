import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CursorError, decodeCursor, encodeCursor, maxCursorLength, type CursorErrorReason, type CursorPayload } from './cursor.js';

const secret = 'cursor-secret-0123456789abcdef';
const payload: CursorPayload = {
  sessionId: 's_7f3a9c2e',
  userId: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
  feedId: 'following',
  hlc: { wallMs: 1_700_000_123_456, logical: 2 },
};

function reasonOf(fn: () => unknown): CursorErrorReason {
  try {
    fn();
  } catch (e) {
    if (e instanceof CursorError) return e.reason;
    throw e;
  }
  throw new Error('expected a CursorError');
}

/** Replaces the character at `i` with a different base64url character. */
function flip(token: string, i: number): string {
  const replacement = token[i] === 'A' ? 'B' : 'A';
  return token.slice(0, i) + replacement + token.slice(i + 1);
}

/** Signs an arbitrary header and payload text the way encodeCursor does. */
function forge(header: string, payloadText: string, key = secret): string {
  const signed = `${header}.${Buffer.from(payloadText).toString('base64url')}`;
  return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}

describe('cursor', () => {
  it('round-trips and stays compact', () => {
    const token = encodeCursor(payload, secret);
    expect(token).toMatch(/^v3\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    // A UUID user and session, the feed id and the HLC: about 150 characters (README).
    expect(token.length).toBeLessThan(170);
    expect(decodeCursor(token, secret)).toEqual(payload);
  });

  it('is deterministic for the same payload and key', () => {
    expect(encodeCursor(payload, secret)).toBe(encodeCursor({ ...payload }, secret));
  });

  it('detects a flipped character anywhere in the payload or the signature', () => {
    const token = encodeCursor(payload, secret);
    const payloadStart = token.indexOf('.') + 1;
    for (let i = payloadStart; i < token.length; i++) {
      if (token[i] === '.') continue;
      expect(reasonOf(() => decodeCursor(flip(token, i), secret))).toBe('tampered');
    }
  });

  it('rejects a cursor signed with another key, or a payload re-signed by someone else', () => {
    expect(reasonOf(() => decodeCursor(encodeCursor(payload, 'another-secret-0123456789'), secret))).toBe('tampered');
    const [header, , sig] = encodeCursor(payload, secret).split('.');
    const otherUser = encodeCursor({ ...payload, userId: 'someone-else' }, secret).split('.')[1];
    expect(reasonOf(() => decodeCursor(`${header}.${otherUser}.${sig}`, secret))).toBe('tampered');
  });

  it.each(['', 'garbage', 'v1.abc', 'v1..sig', 'v1.a b.c', 'x1.YQ.YQ', 'v.YQ.YQ', 'v1.YQ.YQ.YQ', 'v1.Y+Q.YQ', 'v1.YQ.Y=Q'])(
    'rejects %j as malformed',
    (token) => {
      expect(reasonOf(() => decodeCursor(token, secret))).toBe('malformed');
    },
  );

  it('rejects oversized tokens as malformed without parsing them', () => {
    expect(reasonOf(() => decodeCursor(`v1.${'A'.repeat(maxCursorLength)}.x`, secret))).toBe('malformed');
  });

  it('rejects a correctly signed payload of the wrong shape as malformed', () => {
    expect(reasonOf(() => decodeCursor(forge('v1', '{"sessionId":"s"}'), secret))).toBe('malformed');
    expect(reasonOf(() => decodeCursor(forge('v1', 'not json'), secret))).toBe('malformed');
    expect(reasonOf(() => decodeCursor(forge('v1', '["s","u",-1,0,0,0,0]'), secret))).toBe('malformed');
    expect(reasonOf(() => decodeCursor(forge('v1', '["s","u",1.5,0,0,0,0]'), secret))).toBe('malformed');
    expect(reasonOf(() => decodeCursor(forge('v1', '["","u",1,0,0,0,0]'), secret))).toBe('malformed');
    expect(reasonOf(() => decodeCursor(forge('v2', '["s","u",0]'), secret))).toBe('malformed');
    expect(reasonOf(() => decodeCursor(forge('v2', '["s","u",-1,0]'), secret))).toBe('malformed');
    expect(reasonOf(() => decodeCursor(forge('v3', '["s","u",5,1]'), secret))).toBe('malformed');
    expect(reasonOf(() => decodeCursor(forge('v3', '["s","u",7,5,1]'), secret))).toBe('malformed');
  });

  it('still reads a v2 cursor, issued before feeds could be chosen, as feed ""', () => {
    expect(decodeCursor(forge('v2', '["s","u",5,1]'), secret)).toEqual({ sessionId: 's', userId: 'u', feedId: '', hlc: { wallMs: 5, logical: 1 } });
  });

  it('binds the feed: the same cursor re-signed for another feed is tampered', () => {
    const [header, , sig] = encodeCursor(payload, secret).split('.');
    const otherFeed = encodeCursor({ ...payload, feedId: 'for-you' }, secret).split('.')[1];
    expect(reasonOf(() => decodeCursor(`${header}.${otherFeed}.${sig}`, secret))).toBe('tampered');
  });

  it('still reads a v1 cursor issued before the rollout, keeping only what is read', () => {
    expect(decodeCursor(forge('v1', '["s","u",3,1700000000000,9,2,60]'), secret)).toEqual({ sessionId: 's', userId: 'u', feedId: '', hlc: { wallMs: 9, logical: 2 } });
  });

  it('rejects other versions as unsupported', () => {
    const body = JSON.stringify(['s', 'u', 0, 0]);
    expect(reasonOf(() => decodeCursor(forge('v0', body), secret))).toBe('unsupported_version');
    expect(reasonOf(() => decodeCursor(forge('v4', body), secret))).toBe('unsupported_version');
  });

  it('verifies with any rotated key and signs with the first', () => {
    const oldKey = 'old-secret-0123456789abcdef';
    const newKey = 'new-secret-0123456789abcdef';
    const oldToken = encodeCursor(payload, oldKey);
    expect(decodeCursor(oldToken, [newKey, oldKey])).toEqual(payload);
    const newToken = encodeCursor(payload, [newKey, oldKey]);
    expect(newToken).toBe(encodeCursor(payload, newKey));
    expect(decodeCursor(newToken, [newKey])).toEqual(payload);
    expect(reasonOf(() => decodeCursor(oldToken, [newKey]))).toBe('tampered');
  });

  it('accepts binary secrets', () => {
    const key = new Uint8Array(32).fill(7);
    expect(decodeCursor(encodeCursor(payload, key), [key])).toEqual(payload);
  });

  it('refuses weak or missing secrets', () => {
    expect(() => encodeCursor(payload, 'short')).toThrow(TypeError);
    expect(() => encodeCursor(payload, [])).toThrow(TypeError);
    expect(() => decodeCursor('v1.YQ.YQ', [secret, 'short'])).toThrow(TypeError);
  });

  it('refuses to encode an invalid payload', () => {
    expect(() => encodeCursor({ ...payload, sessionId: '' }, secret)).toThrow(/sessionId/);
    expect(() => encodeCursor({ ...payload, hlc: { wallMs: 1.5, logical: 0 } }, secret)).toThrow(/hlc/);
    expect(() => encodeCursor({ ...payload, userId: '' }, secret)).toThrow(/userId/);
  });

  it('survives unicode ids', () => {
    const p = { ...payload, userId: 'ユーザー-é' };
    expect(decodeCursor(encodeCursor(p, secret), secret)).toEqual(p);
  });
});
