import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../keys.js';
import { createRedis, waitForRedis } from '../redis.js';
import { readSeenItems, writeSeenItems } from './seen-items.js';
import { preferenceField } from './viewer-preferences.js';
import { readViewerState } from './viewer-state.js';

// A real Redis (db 15, used by no other test); users of this file's own, deleted afterwards.
const redis = createRedis({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/15', lazyConnect: true });
const run = randomBytes(4).toString('hex');
const users: string[] = [];
const user = (name: string) => {
  const id = `seen-${run}-${name}`;
  users.push(id);
  return id;
};

beforeAll(() => waitForRedis(redis));
afterAll(async () => {
  await redis.del(...users.flatMap((u) => [redisKeys.viewerSeen(u), redisKeys.viewerPreferences(u)]));
  redis.disconnect();
});

const HOUR = 3_600_000;

describe('writeSeenItems / readSeenItems', () => {
  it('keeps the newest maxItems marks, with a TTL on the key, scored by the end of the mark', async () => {
    const u = user('bounded');
    const now = 1_900_000_000_000;
    const views = Array.from({ length: 8 }, (_, i) => ({ userId: u, itemId: `i${i}`, occurredAtMs: now - 1000 * (8 - i) }));
    expect(await writeSeenItems(redis, views, { maxItems: 5, ttlMs: HOUR }, now)).toBe(1);
    const key = redisKeys.viewerSeen(u);
    expect(await redis.zrange(key, '0', '-1')).toEqual(['i3', 'i4', 'i5', 'i6', 'i7']);
    expect(Number(await redis.zscore(key, 'i7'))).toBe(now - 1000 + HOUR);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(HOUR - 60_000);
    expect(ttl).toBeLessThanOrEqual(HOUR);
    expect([...(await readSeenItems(redis, u, now))].sort()).toEqual(['i3', 'i4', 'i5', 'i6', 'i7']);
  });

  it('reads only marks still in effect; a repeated older view never shortens a mark', async () => {
    const u = user('ttl');
    const now = 1_900_000_000_000;
    await writeSeenItems(redis, [{ userId: u, itemId: 'a', occurredAtMs: now }, { userId: u, itemId: 'b', occurredAtMs: now - HOUR / 2 }], { maxItems: 10, ttlMs: HOUR }, now);
    await writeSeenItems(redis, [{ userId: u, itemId: 'a', occurredAtMs: now - HOUR / 2 }], { maxItems: 10, ttlMs: HOUR }, now);
    expect(Number(await redis.zscore(redisKeys.viewerSeen(u), 'a'))).toBe(now + HOUR);
    expect([...(await readSeenItems(redis, u, now + HOUR * 0.75))]).toEqual(['a']);
    // A view whose mark already ended writes nothing.
    expect(await writeSeenItems(redis, [{ userId: user('old'), itemId: 'x', occurredAtMs: now - 2 * HOUR }], { maxItems: 10, ttlMs: HOUR }, now)).toBe(0);
  });
});

describe('readViewerState', () => {
  it('reads preferences and seen in one pipeline; without wants.seen the seen set is empty', async () => {
    const u = user('state');
    const now = Date.now();
    await redis.hset(redisKeys.viewerPreferences(u), preferenceField('less-author', 'a1'), '0');
    await writeSeenItems(redis, [{ userId: u, itemId: 'i1', occurredAtMs: now }], { maxItems: 10, ttlMs: HOUR }, now);
    const state = await readViewerState(redis, u, now, { seen: true });
    expect([...state.preferences.lessAuthors]).toEqual(['a1']);
    expect([...state.seen]).toEqual(['i1']);
    expect(state.seenError).toBeUndefined();
    expect((await readViewerState(redis, u, now, { seen: false })).seen.size).toBe(0);
  });

  it('a failed seen read is reported, not thrown (the preferences still apply)', async () => {
    const u = user('wrongtype');
    await redis.set(redisKeys.viewerSeen(u), 'not a zset');
    const state = await readViewerState(redis, u, Date.now(), { seen: true });
    expect(state.seen.size).toBe(0);
    expect(String(state.seenError)).toMatch(/WRONGTYPE/);
  });
});
