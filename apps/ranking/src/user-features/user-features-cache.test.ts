import type { ItemKind } from '@feedmesh/contracts';
import { emptyUserFeatures, type UserFeatures } from '@feedmesh/feed-core';
import { describe, expect, it, vi } from 'vitest';
import { UserFeaturesCache } from './user-features-cache.js';

const features = (author: string, score: number): UserFeatures => ({
  authorAffinity: new Map([[author, score]]),
  kindAffinity: new Map<ItemKind, number>(),
});

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('UserFeaturesCache', () => {
  it('loads a user once, then serves the cached features', async () => {
    const load = vi.fn(async (userId: string) => features(`author-of-${userId}`, 0.5));
    const cache = new UserFeaturesCache({ load, ttlMs: 60_000, maxUsers: 10 });
    const first = await cache.get('u1', 1_000);
    expect(first.outcome).toBe('loaded');
    expect(first.features.authorAffinity.get('author-of-u1')).toBe(0.5);
    const second = await cache.get('u1', 1_000);
    expect(second).toEqual({ features: first.features, outcome: 'cached' });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('shares one load between concurrent requests of a user', async () => {
    const pending = deferred<UserFeatures>();
    const load = vi.fn(() => pending.promise);
    const cache = new UserFeaturesCache({ load, ttlMs: 60_000, maxUsers: 10 });
    const both = Promise.all([cache.get('u1', 1_000), cache.get('u1', 1_000)]);
    pending.resolve(features('a', 1));
    expect((await both).map((r) => r.outcome)).toEqual(['loaded', 'loaded']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('fails open on a slow load, and caches the late result for the next request', async () => {
    const pending = deferred<UserFeatures>();
    const cache = new UserFeaturesCache({ load: () => pending.promise, ttlMs: 60_000, maxUsers: 10 });
    const slow = await cache.get('u1', 10);
    expect(slow).toEqual({ features: emptyUserFeatures, outcome: 'timeout' });
    pending.resolve(features('a', 0.9));
    await vi.waitFor(async () => expect((await cache.get('u1', 10)).outcome).toBe('cached'));
  });

  it('fails open on a failed load and retries it on the next request', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('connection refused')).mockResolvedValueOnce(features('a', 0.2));
    const cache = new UserFeaturesCache({ load, ttlMs: 60_000, maxUsers: 10 });
    const failed = await cache.get('u1', 1_000);
    expect(failed.outcome).toBe('error');
    expect(failed.features).toBe(emptyUserFeatures);
    expect((failed.error as Error).message).toBe('connection refused');
    expect((await cache.get('u1', 1_000)).outcome).toBe('loaded');
  });

  it('reloads a user once the entry is older than the TTL', async () => {
    const load = vi.fn(async () => features('a', 0.1));
    const cache = new UserFeaturesCache({ load, ttlMs: 20, maxUsers: 10 });
    await cache.get('u1', 1_000);
    await new Promise((r) => setTimeout(r, 40));
    expect((await cache.get('u1', 1_000)).outcome).toBe('loaded');
    expect(load).toHaveBeenCalledTimes(2);
  });
});
