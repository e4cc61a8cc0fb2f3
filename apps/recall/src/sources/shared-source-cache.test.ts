import { describe, expect, it } from 'vitest';
import type { RecallSource } from '../recall-candidate.js';
import { sharedAcrossUsers } from './shared-source-cache.js';

const candidate = (id: string) => ({ item: { id, kind: 1, authorId: 'a', createdAtMs: 1 }, sources: [], recallScore: 1 });

function countingSource(fail = false) {
  const calls: string[] = [];
  const source: RecallSource = {
    name: 'fresh',
    async fetch(query) {
      calls.push(query.userId);
      if (fail) throw new Error('pg down');
      return [candidate(`i${calls.length}`)];
    },
  };
  return { source, calls };
}

const query = (userId: string) => ({ userId, user: async () => undefined });

describe('sharedAcrossUsers', () => {
  it('serves every user from one fetch within the ttl, concurrent callers included', async () => {
    let now = 1_000; // not 0: lru-cache reads a start of 0 as "no TTL"
    const { source, calls } = countingSource();
    const shared = sharedAcrossUsers(source, 1_000, { now: () => now });
    const signal = new AbortController().signal;
    const [a, b] = await Promise.all([shared.fetch(query('u1'), signal), shared.fetch(query('u2'), signal)]);
    expect(a).toBe(b);
    now = 2_000;
    expect((await shared.fetch(query('u3'), signal))[0]!.item.id).toBe('i1');
    now = 2_001;
    expect((await shared.fetch(query('u4'), signal))[0]!.item.id).toBe('i2');
    expect(calls).toEqual(['u1', 'u4']);
    expect(shared.name).toBe('fresh');
  });

  it('does not keep failures, and a ttl of 0 leaves the source as it is', async () => {
    const { source, calls } = countingSource(true);
    const shared = sharedAcrossUsers(source, 1_000, { now: () => 1_000 });
    const signal = new AbortController().signal;
    await expect(shared.fetch(query('u1'), signal)).rejects.toThrow('pg down');
    await expect(shared.fetch(query('u2'), signal)).rejects.toThrow('pg down');
    expect(calls).toEqual(['u1', 'u2']);
    expect(sharedAcrossUsers(source, 0)).toBe(source);
  });
});
