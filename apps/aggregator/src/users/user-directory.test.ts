import { describe, expect, it } from 'vitest';
import { UserDirectory } from './user-directory.js';

describe('UserDirectory', () => {
  it('caches known users for the ttl and never caches unknown ones', async () => {
    let now = 1_000; // not 0: lru-cache reads a start of 0 as "no TTL"
    const asked: string[] = [];
    const known = new Set(['u1']);
    const directory = new UserDirectory(
      { exists: async (id) => (asked.push(id), known.has(id)) },
      { ttlMs: 100, now: () => now },
    );
    expect(await directory.exists('u1')).toBe(true);
    expect(await directory.exists('u1')).toBe(true);
    expect(await directory.exists('u2')).toBe(false);
    known.add('u2');
    expect(await directory.exists('u2')).toBe(true);
    now = 1_150;
    expect(await directory.exists('u1')).toBe(true);
    expect(asked).toEqual(['u1', 'u2', 'u2', 'u1']);
  });

  it('evicts the least recently used entry when full', async () => {
    const asked: string[] = [];
    const directory = new UserDirectory({ exists: async (id) => (asked.push(id), true) }, { ttlMs: 1_000, maxEntries: 2 });
    for (const id of ['a', 'b', 'c', 'b', 'a']) await directory.exists(id);
    expect(asked).toEqual(['a', 'b', 'c', 'a']);
  });

  it('shares one lookup between concurrent requests of a user', async () => {
    const asked: string[] = [];
    const directory = new UserDirectory({ exists: async (id) => (asked.push(id), false) }, { ttlMs: 1_000 });
    expect(await Promise.all([directory.exists('u1'), directory.exists('u1')])).toEqual([false, false]);
    expect(asked).toEqual(['u1']);
  });
});
