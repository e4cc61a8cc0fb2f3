import { describe, expect, it, vi } from 'vitest';
import { CacheCounters, CachedLoader, type CachedLoaderOptions } from './cached-loader.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A loader over a clock the test moves (starting at 1 000: lru-cache reads a start of 0 as "no TTL"). */
function setup(options: Partial<CachedLoaderOptions<string, string>> = {}) {
  const clock = { now: 1_000 };
  const counters = new CacheCounters();
  const load = vi.fn(async (key: string): Promise<string | undefined> => (key.startsWith('none') ? undefined : `v:${key}`));
  const cache = new CachedLoader<string, string>({ load, maxEntries: 10, ttlMs: 100, now: () => clock.now, metrics: counters, ...options });
  return { cache, load, clock, counters };
}

describe('CachedLoader', () => {
  it('keeps a loaded value for its TTL, then loads again', async () => {
    const { cache, load, clock, counters } = setup();
    expect(cache.get('a')).toBeUndefined();
    expect(await cache.load('a')).toBe('v:a');
    expect(cache.get('a')).toBe('v:a');
    clock.now = 1_100;
    expect(await cache.load('a')).toBe('v:a');
    expect(load).toHaveBeenCalledTimes(1);
    clock.now = 1_101;
    expect(cache.get('a')).toBeUndefined();
    expect(await cache.load('a')).toBe('v:a');
    expect(load).toHaveBeenCalledTimes(2);
    expect(counters).toMatchObject({ hits: 2, misses: 2, loads: 2, loadErrors: 0 });
  });

  it('shares one load between concurrent misses of a key', async () => {
    const pending = deferred<string>();
    const load = vi.fn(() => pending.promise);
    const { cache } = setup({ load });
    const both = Promise.all([cache.load('a'), cache.load('a')]);
    pending.resolve('A');
    expect(await both).toEqual(['A', 'A']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('keeps no failure: every caller gets the error and the next lookup loads again', async () => {
    const load = vi.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValueOnce('A');
    const { cache, counters } = setup({ load });
    const [first, second] = await Promise.allSettled([cache.load('a'), cache.load('a')]);
    expect(first).toMatchObject({ status: 'rejected', reason: new Error('down') });
    expect(second).toMatchObject({ status: 'rejected', reason: new Error('down') });
    expect(await cache.load('a')).toBe('A');
    expect(counters).toMatchObject({ loads: 2, loadErrors: 1 });
  });

  it('keeps "not found" only when given a TTL for it', async () => {
    const plain = setup();
    expect(await plain.cache.load('none')).toBeUndefined();
    expect(await plain.cache.load('none')).toBeUndefined();
    expect(plain.load).toHaveBeenCalledTimes(2);
    expect(plain.cache.size).toBe(0);

    const negative = setup({ notFoundTtlMs: 10 });
    expect(await negative.cache.load('none')).toBeUndefined();
    expect(await negative.cache.load('none')).toBeUndefined();
    expect(negative.load).toHaveBeenCalledTimes(1);
    expect(negative.counters.hits).toBe(1);
    negative.clock.now = 1_011;
    expect(await negative.cache.load('none')).toBeUndefined();
    expect(negative.load).toHaveBeenCalledTimes(2);
  });

  it('drops the least recently used entry when full, and counts it', async () => {
    const { cache, load, counters } = setup({ maxEntries: 2 });
    for (const key of ['a', 'b', 'a', 'c', 'a', 'b']) await cache.load(key);
    expect(load.mock.calls.map(([key]) => key)).toEqual(['a', 'b', 'c', 'b']);
    expect(counters.evictions).toBe(2);
  });

  it('bounds the sum of the values sizes', async () => {
    const { cache } = setup({ maxSize: 10, sizeOf: (value) => value.length });
    await cache.loadMany(['abc', 'def']); // 'v:abc', 'v:def': 5 each
    expect(cache.totalSize).toBe(10);
    await cache.load('g');
    expect(cache.get('abc')).toBeUndefined();
    expect(cache.totalSize).toBe(8);
    expect(cache.set('big', 'x'.repeat(11), 100)).toBe(false);
  });

  it('takes a per-value TTL, and returns a value whose TTL is below 1 ms without keeping it', async () => {
    const { cache, load, clock } = setup({ ttlOf: (value) => (value === 'v:short' ? 10 : value === 'v:gone' ? 0.5 : 100) });
    await cache.loadMany(['short', 'long', 'gone']);
    expect(cache.get('gone')).toBeUndefined();
    clock.now = 1_011;
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('long')).toBe('v:long');
    expect(await cache.load('gone')).toBe('v:gone');
    expect(load).toHaveBeenCalledTimes(4);
  });

  it('with a TTL of 0 keeps nothing, but concurrent loads of a key still share one', async () => {
    const { cache, load } = setup({ ttlMs: 0 });
    expect(await Promise.all([cache.load('a'), cache.load('a')])).toEqual(['v:a', 'v:a']);
    expect(await cache.load('a')).toBe('v:a');
    expect(load).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(0);
  });

  describe('loadMany', () => {
    it('loads the misses nobody is loading in one batch, joins the others, and leaves out what is not found', async () => {
      const batches: string[][] = [];
      const first = deferred<ReadonlyMap<string, string>>();
      const loadBatch = vi.fn(async (keys: string[]) => {
        batches.push(keys);
        if (batches.length === 1) return first.promise;
        return new Map(keys.filter((key) => !key.startsWith('none')).map((key) => [key, `b:${key}`]));
      });
      const { cache, counters } = setup({ load: undefined, loadBatch });
      cache.set('kept', 'K');
      const early = cache.loadMany(['a', 'b']);
      const later = cache.loadMany(['kept', 'b', 'c', 'c', 'none']);
      first.resolve(new Map([['a', 'A'], ['b', 'B']]));
      expect(await early).toEqual(new Map([['a', 'A'], ['b', 'B']]));
      expect(await later).toEqual(new Map([['kept', 'K'], ['b', 'B'], ['c', 'b:c']]));
      expect(batches).toEqual([['a', 'b'], ['c', 'none']]);
      expect(counters).toMatchObject({ hits: 1, misses: 6, loads: 2 });
      expect(await cache.loadMany(['a', 'c'])).toEqual(new Map([['a', 'A'], ['c', 'b:c']]));
      expect(batches).toHaveLength(2);
    });

    it('rejects every caller of a failed batch and keeps nothing of it', async () => {
      const loadBatch = vi.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValueOnce(new Map([['a', 'A']]));
      const { cache, counters } = setup({ load: undefined, loadBatch });
      const results = await Promise.allSettled([cache.loadMany(['a', 'b']), cache.loadMany(['a'])]);
      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(counters.loadErrors).toBe(1);
      expect(await cache.loadMany(['a'])).toEqual(new Map([['a', 'A']]));
    });

    it('rejects when loadBatch throws, and keeps nothing loading', async () => {
      const loadBatch = vi.fn((): Promise<ReadonlyMap<string, string>> => {
        throw new Error('bad input');
      });
      const { cache } = setup({ load: undefined, loadBatch });
      await expect(cache.loadMany(['a'])).rejects.toThrow('bad input');
      await expect(cache.loadMany(['a'])).rejects.toThrow('bad input');
      expect(loadBatch).toHaveBeenCalledTimes(2);
    });

    it('batches per-key loads when there is no loadBatch', async () => {
      const { cache, load } = setup();
      expect(await cache.loadMany(['a', 'none'])).toEqual(new Map([['a', 'v:a']]));
      expect(load).toHaveBeenCalledTimes(2);
    });
  });

  it('refresh loads again in the background while get() answers the old value', async () => {
    let version = 1;
    const next = deferred<void>();
    const { cache } = setup({
      load: undefined,
      loadBatch: async (keys) => {
        const v = version++;
        if (v > 1) await next.promise;
        return new Map(keys.map((key) => [key, `${key}${v}`]));
      },
    });
    await cache.loadMany(['a', 'b']);
    const refreshing = cache.refresh(['a']);
    expect(cache.get('a')).toBe('a1');
    const joined = cache.loadMany(['a']); // a kept (old) value is a hit
    expect(await joined).toEqual(new Map([['a', 'a1']]));
    next.resolve();
    await refreshing;
    expect(cache.get('a')).toBe('a2');
    expect(cache.get('b')).toBe('b1');
  });

  it('keeps a load that raced a delete, set or clear out of the cache, and still answers its callers', async () => {
    const pending = deferred<string>();
    const load = vi.fn(() => pending.promise);
    const { cache } = setup({ load });
    const deleted = cache.load('a');
    cache.delete('a');
    const replaced = cache.load('b');
    cache.set('b', 'new');
    const cleared = cache.load('c');
    cache.clear();
    cache.set('b', 'new');
    pending.resolve('old');
    expect(await Promise.all([deleted, replaced, cleared])).toEqual(['old', 'old', 'old']);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe('new');
    expect(cache.get('c')).toBeUndefined();
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('set keeps a value for its TTL and refuses one below 1 ms', () => {
    const { cache, clock } = setup();
    expect(cache.set('a', 'A', 10)).toBe(true);
    expect(cache.set('b', 'B', 0.9)).toBe(false);
    expect(cache.set('c', 'C')).toBe(true);
    clock.now = 1_011;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')).toBe('C');
  });
});
