import { ItemKind, MissingReason } from '@feedmesh/contracts';
import type { Logger } from '@feedmesh/telemetry';
import { describe, expect, it, vi } from 'vitest';
import { renderCard } from '../templates/card-templates.js';
import { CardCache } from './card-cache.js';
import { encodeCardEntry, type CardEntry } from './card-entry.js';
import { MemoryCardCache } from './memory-card-cache.js';
import { RenderedCardCache, type CachedCard } from './rendered-card-cache.js';

function card(id: string, kind = ItemKind.ARTICLE): CardEntry {
  const { item } = renderCard({ id, kind, authorId: 'u1', createdAtMs: 1, status: 1, payload: { title: id } });
  return { type: 'card', item, expiresAtMs: Date.now() + 60_000 };
}

/** A CardCache over a Redis layer whose contents are `stored` (reads and writes recorded). */
function setUp(withMemory = true) {
  const stored = new Map<string, CardEntry>();
  const reads: string[][] = [];
  const written: string[] = [];
  const redisCache = new RenderedCardCache({} as never, {} as Logger, { readTimeoutMs: 25, ttlJitter: 0 });
  const getMany = vi.spyOn(redisCache, 'getMany').mockImplementation(async (ids) => {
    reads.push([...ids]);
    const found = new Map<string, CachedCard>();
    for (const id of ids) {
      const entry = stored.get(id);
      if (entry) found.set(id, { entry, bytes: encodeCardEntry(entry).length });
    }
    return found;
  });
  vi.spyOn(redisCache, 'writeStamped').mockImplementation(async (writes) => {
    for (const w of writes) written.push(w.id);
  });
  const memory = withMemory ? new MemoryCardCache({ maxEntries: 100, maxBytes: 1_000_000, ttlMs: 3_000, volatileTtlMs: 1_000 }) : undefined;
  return { cache: new CardCache(redisCache, memory), memory, stored, reads, written, getMany };
}

describe('CardCache', () => {
  it('answers from memory first, then Redis, and reports distinct misses in request order', async () => {
    const { cache, stored, reads } = setUp();
    stored.set('r1', card('r1'));
    stored.set('r2', card('r2'));
    const first = await cache.getMany(['m1', 'r1', 'm1', 'r2', 'r1']);
    expect(first).toMatchObject({ misses: ['m1'], memoryHits: 0, redisHits: 3 });
    expect(first.entries.map((e) => (e?.type === 'card' ? e.item.id : e))).toEqual([undefined, 'r1', undefined, 'r2', 'r1']);
    expect(reads).toEqual([['m1', 'r1', 'r2']]);

    // The Redis hits were copied into memory: the same ids again cost no Redis read.
    const second = await cache.getMany(['r2', 'r1', 'r2']);
    expect(second).toMatchObject({ misses: [], memoryHits: 3, redisHits: 0 });
    expect(second.entries[1]).toBe(first.entries[1]);
    expect(reads).toHaveLength(1);
  });

  it('keeps new entries in memory at once, stamped with their expiry, and writes them to Redis', async () => {
    const { cache, reads, written } = setUp();
    const now = Date.now();
    const stored = cache.setMany(
      [
        { id: 'a', entry: { ...card('a'), expiresAtMs: 0 }, ttlMs: 60_000 },
        { id: 'gone', entry: { type: 'missing', reason: MissingReason.DELETED, expiresAtMs: 0 }, ttlMs: 30_000 },
      ],
      cache.mark(),
      now,
    );
    expect(stored.get('a')?.expiresAtMs).toBe(now + 60_000);
    expect(stored.get('gone')).toEqual({ type: 'missing', reason: MissingReason.DELETED, expiresAtMs: now + 30_000 });
    expect(written).toEqual(['a', 'gone']);
    const lookup = await cache.getMany(['gone', 'a']);
    expect(lookup).toMatchObject({ memoryHits: 2, redisHits: 0, misses: [] });
    expect(lookup.entries[1]).toBe(stored.get('a'));
    expect(reads).toEqual([]);
  });

  it('leaves out of memory what a load read before an invalidation', async () => {
    const { cache, written } = setUp();
    const mark = cache.mark();
    cache.memory!.invalidate(['a']); // ingest's DEL while the Postgres read was running
    cache.setMany([{ id: 'a', entry: card('a'), ttlMs: 60_000 }], mark);
    expect(written).toEqual(['a']);
    expect((await cache.getMany(['a'])).memoryHits).toBe(0);
  });

  it('does not keep a Redis reply that raced an invalidation of its key', async () => {
    const { cache, memory, stored, getMany } = setUp();
    stored.set('a', card('a'));
    getMany.mockImplementationOnce(async (ids) => {
      // The DEL lands while the read is in flight; its invalidation arrives before the reply.
      memory!.invalidate(['a']);
      return new Map(ids.map((id) => [id, { entry: stored.get(id)!, bytes: 10 }]));
    });
    expect((await cache.getMany(['a'])).redisHits).toBe(1); // this call still gets what Redis said
    expect(memory!.get('a')).toBeUndefined();
    expect((await cache.getMany(['a'])).redisHits).toBe(1);
    expect(memory!.get('a')).toBeDefined();
  });

  it('reads Redis every time without a memory layer', async () => {
    const { cache, stored, reads } = setUp(false);
    stored.set('a', card('a'));
    await cache.getMany(['a']);
    expect(await cache.getMany(['a'])).toMatchObject({ memoryHits: 0, redisHits: 1 });
    expect(reads).toEqual([['a'], ['a']]);
  });
});
