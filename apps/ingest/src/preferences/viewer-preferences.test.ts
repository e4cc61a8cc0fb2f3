import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { ShowLessScope } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { MAX_MUTE_MS, muteUntilMs, showLessTarget, validatePair } from './viewer-preferences.js';

const ITEM = '0b9c2b1e-2f5e-4a57-9a9e-3c2b8f0d1a11';

function failure(work: () => unknown): { code: Code; message: string } {
  try {
    work();
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, message: e.rawMessage };
  }
  throw new Error('did not throw');
}

describe('validatePair', () => {
  it('names the missing or bad field', () => {
    expect(failure(() => validatePair('', 'target_user_id', 'b', 'block'))).toMatchObject({ code: Code.InvalidArgument, message: expect.stringMatching(/^user_id:/) });
    expect(failure(() => validatePair('a', 'target_user_id', '', 'block'))).toMatchObject({ code: Code.InvalidArgument, message: expect.stringMatching(/^target_user_id:/) });
    expect(failure(() => validatePair('a', 'author_id', 'x|y', 'mute')).message).toMatch(/^author_id:/);
  });
  it('refuses the user themselves', () => {
    expect(failure(() => validatePair('a', 'target_user_id', 'a', 'block')).message).toMatch(/^target_user_id: a user cannot block themselves/);
  });
  it('accepts two distinct users', () => {
    expect(() => validatePair('a', 'author_id', 'b', 'mute')).not.toThrow();
  });
});

describe('muteUntilMs', () => {
  const now = 1_700_000_000_000;
  it('is undefined without an end', () => expect(muteUntilMs(undefined, now)).toBeUndefined());
  it('returns a future end in ms', () => expect(muteUntilMs(timestampFromMs(now + 60_000), now)).toBe(now + 60_000));
  it('refuses an end in the past or now, naming until', () => {
    expect(failure(() => muteUntilMs(timestampFromMs(now - 1), now))).toMatchObject({ code: Code.InvalidArgument, message: expect.stringMatching(/^until:/) });
    expect(failure(() => muteUntilMs(timestampFromMs(now), now)).message).toMatch(/^until:/);
  });
  it('refuses an end beyond 100 years (seconds = 1e15 once reached Postgres and came back Internal), naming until', () => {
    expect(failure(() => muteUntilMs(timestampFromMs(1e18), now))).toMatchObject({ code: Code.InvalidArgument, message: expect.stringMatching(/^until: must be within 100 years/) });
    expect(muteUntilMs(timestampFromMs(now + MAX_MUTE_MS), now)).toBe(now + MAX_MUTE_MS);
  });
});

describe('showLessTarget', () => {
  const item = { authorId: 'author', topics: ['rust', 'go'] };
  it('lowers the item by default and with ITEM', () => {
    expect(showLessTarget({ itemId: ITEM, scope: ShowLessScope.UNSPECIFIED, topic: '' }, item)).toEqual({ scope: 'item', targetId: ITEM });
    expect(showLessTarget({ itemId: ITEM, scope: ShowLessScope.ITEM, topic: '' }, item)).toEqual({ scope: 'item', targetId: ITEM });
  });
  it("lowers the item's author with AUTHOR", () => {
    expect(showLessTarget({ itemId: ITEM, scope: ShowLessScope.AUTHOR, topic: '' }, item)).toEqual({ scope: 'author', targetId: 'author' });
  });
  it("lowers one of the item's topics with TOPIC, and names topic otherwise", () => {
    expect(showLessTarget({ itemId: ITEM, scope: ShowLessScope.TOPIC, topic: 'go' }, item)).toEqual({ scope: 'topic', targetId: 'go' });
    expect(failure(() => showLessTarget({ itemId: ITEM, scope: ShowLessScope.TOPIC, topic: 'java' }, item))).toMatchObject({ code: Code.InvalidArgument, message: expect.stringMatching(/^topic:/) });
  });
  it('refuses an unknown scope, naming scope', () => {
    expect(failure(() => showLessTarget({ itemId: ITEM, scope: 9 as ShowLessScope, topic: '' }, item)).message).toMatch(/^scope:/);
  });
});
