import { describe, expect, it, vi } from 'vitest';
import { createSharedZsets, type HydratedEntry } from './shared-zsets.js';

const record = { status: 'active' as const, createdAtMs: 1, views: 0, likes: 0, shares: 0, hides: 0 };
const entries = (key: string, n: number): HydratedEntry[] =>
  Array.from({ length: n }, (_, i) => ({ member: { id: `${key}-${i}`, kind: 1, authorId: 'a' }, score: n - i, record }));

describe('createSharedZsets', () => {
  it('loads each key once for concurrent and later readers within the ttl, and cuts to each count', async () => {
    const load = vi.fn(async (key: string, depth: number) => entries(key, depth));
    const zsets = createSharedZsets({ load, depth: 5, ttlMs: 60_000, maxKeys: 10 });
    const [a, b] = await Promise.all([
      zsets.read([{ key: 't:ai', count: 2 }, { key: 't:art', count: 9 }]),
      zsets.read([{ key: 't:ai', count: 5 }]),
    ]);
    expect(a.map((e) => e.length)).toEqual([2, 5]);
    expect(b[0]!.map((e) => e.member.id)).toEqual(['t:ai-0', 't:ai-1', 't:ai-2', 't:ai-3', 't:ai-4']);
    await zsets.read([{ key: 't:ai', count: 1 }, { key: 't:none', count: 0 }]);
    expect(load.mock.calls).toEqual([
      ['t:ai', 5],
      ['t:art', 5],
    ]);
  });

  it('reads again once the ttl has passed', async () => {
    let now = 10_000; // not 0: lru-cache reads a start of 0 as "no TTL"
    const load = vi.fn(async (key: string, depth: number) => entries(key, depth));
    const zsets = createSharedZsets({ load, depth: 3, ttlMs: 1_000, maxKeys: 10, now: () => now });
    await zsets.read([{ key: 'k', count: 3 }]);
    now = 10_999;
    await zsets.read([{ key: 'k', count: 3 }]);
    expect(load).toHaveBeenCalledTimes(1);
    now = 11_001;
    await zsets.read([{ key: 'k', count: 3 }]);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('keeps no failure: the next reader tries again', async () => {
    let fail = true;
    const load = vi.fn(async (key: string, depth: number) => {
      if (fail) throw new Error('redis down');
      return entries(key, depth);
    });
    const zsets = createSharedZsets({ load, depth: 2, ttlMs: 60_000, maxKeys: 10 });
    await expect(zsets.read([{ key: 'k', count: 2 }])).rejects.toThrow('redis down');
    fail = false;
    expect((await zsets.read([{ key: 'k', count: 2 }]))[0]).toHaveLength(2);
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('with ttl 0 reads every time', async () => {
    const load = vi.fn(async (key: string, depth: number) => entries(key, depth));
    const zsets = createSharedZsets({ load, depth: 4, ttlMs: 0, maxKeys: 10 });
    await zsets.read([{ key: 'k', count: 2 }]);
    await zsets.read([{ key: 'k', count: 9 }]);
    expect(load.mock.calls).toEqual([
      ['k', 2],
      ['k', 4],
    ]);
  });
});
