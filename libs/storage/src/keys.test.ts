import { describe, expect, it } from 'vitest';
import { hashTagOf, KEY_PREFIX, redisKeys } from './keys.js';

describe('redisKeys', () => {
  it('prefixes every key with fm: and tags it', () => {
    const keys = [
      redisKeys.homeTimeline('u1'),
      redisKeys.authorRecent('u2'),
      redisKeys.trending(1),
      redisKeys.topicRecent('rust'),
      redisKeys.renderedCard('0f8c2f6e-3c3b-4b0e-9a43-1d5f1f2f0e11'),
      redisKeys.sessionServed('s1'),
      redisKeys.sessionState('s1'),
      redisKeys.publishClaim('u2', 'req-1'),
    ];
    for (const key of keys) {
      expect(key.startsWith(KEY_PREFIX)).toBe(true);
      expect(hashTagOf(key)).not.toBe(key);
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('puts keys used together in one hash slot', () => {
    expect(hashTagOf(redisKeys.sessionServed('abc'))).toBe(hashTagOf(redisKeys.sessionState('abc')));
    expect(hashTagOf(redisKeys.publishClaim('u9', 'r'))).toBe(hashTagOf(redisKeys.authorRecent('u9')));
    expect(hashTagOf(redisKeys.trending(1))).toBe(hashTagOf(redisKeys.trending(3)));
  });

  it('spreads different users and sessions across tags', () => {
    expect(hashTagOf(redisKeys.homeTimeline('u1'))).not.toBe(hashTagOf(redisKeys.homeTimeline('u2')));
    expect(hashTagOf(redisKeys.sessionState('a'))).not.toBe(hashTagOf(redisKeys.sessionState('b')));
    expect(hashTagOf(redisKeys.homeTimeline('x'))).not.toBe(hashTagOf(redisKeys.authorRecent('x')));
  });

  it('rejects ids that would break the hash tag', () => {
    expect(() => redisKeys.homeTimeline('a}b')).toThrow();
    expect(() => redisKeys.authorRecent('{x')).toThrow();
    expect(() => redisKeys.sessionState('')).toThrow();
  });
});

describe('hashTagOf', () => {
  it('follows the Redis Cluster rules', () => {
    expect(hashTagOf('fm:{u:1}:home')).toBe('u:1');
    expect(hashTagOf('plain')).toBe('plain');
    expect(hashTagOf('a{}b')).toBe('a{}b');
    expect(hashTagOf('a{b')).toBe('a{b');
    expect(hashTagOf('{x}{y}')).toBe('x');
  });
});
