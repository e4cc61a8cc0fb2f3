import { describe, expect, it } from 'vitest';
import { maxClockSkewMs, parseEngagement, parsePublish, RequestError } from './requests.js';

const id = '0b6c8f5e-6d1e-4c2a-9b1e-3f2d4c5b6a79';
const now = 1_700_000_000_000;

describe('parseEngagement', () => {
  it('keeps the page’s time when it is near the server’s, else uses the server’s', () => {
    const events = parseEngagement(
      {
        events: [
          { itemId: id, type: 'LIKE', occurredAtMs: now - 5_000 },
          { itemId: id, type: 'VIEW', dwellMs: 1200.4, occurredAtMs: now - maxClockSkewMs - 1 },
          { itemId: id, type: 'HIDE' },
        ],
      },
      now,
    );
    expect(events).toEqual([
      { itemId: id, type: 'LIKE', dwellMs: undefined, occurredAtMs: now - 5_000 },
      { itemId: id, type: 'VIEW', dwellMs: 1200, occurredAtMs: now },
      { itemId: id, type: 'HIDE', dwellMs: undefined, occurredAtMs: now },
    ]);
  });

  it.each([
    [null],
    [{}],
    [{ events: [] }],
    [{ events: Array.from({ length: 101 }, () => ({ itemId: id, type: 'VIEW' })) }],
    [{ events: [{ itemId: 'not-a-uuid', type: 'VIEW' }] }],
    [{ events: [{ itemId: id, type: 'BUY' }] }],
    [{ events: [{ itemId: id, type: 'VIEW', dwellMs: -1 }] }],
    [{ events: [{ itemId: id, type: 'VIEW', userId: 'u2' }, 'x'] }],
  ])('refuses %j', (body) => {
    expect(() => parseEngagement(body, now)).toThrow(RequestError);
  });
});

describe('parsePublish', () => {
  it('trims title and body', () => {
    expect(parsePublish({ requestId: 'abcdef0123', title: ' Hello ', body: ' World ' })).toEqual({ requestId: 'abcdef0123', title: 'Hello', body: 'World' });
  });

  it.each([
    [{ title: 'a', body: 'b' }],
    [{ requestId: 'short', title: 'a', body: 'b' }],
    [{ requestId: 'abcdef0123', title: '  ', body: 'b' }],
    [{ requestId: 'abcdef0123', title: 'a', body: '' }],
    [{ requestId: 'abcdef0123', title: 'x'.repeat(201), body: 'b' }],
  ])('refuses %j', (body) => {
    expect(() => parsePublish(body)).toThrow(RequestError);
  });
});
