import { ItemKind, MissingReason } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { renderCard } from '../templates/card-templates.js';
import type { CardEntry } from './card-entry.js';
import { MemoryCardCache, type MemoryCardCacheOptions } from './memory-card-cache.js';

const NOW = 1_800_000_000_000;
const FAR = NOW + 600_000;

function card(id: string, expiresAtMs = FAR): CardEntry {
  const { item } = renderCard({ id, kind: ItemKind.ARTICLE, authorId: 'u1', createdAtMs: 1, status: 1, payload: { title: `T ${id}` } });
  return { type: 'card', item, expiresAtMs };
}

function setUp(options: Partial<MemoryCardCacheOptions> = {}) {
  // The monotonic TTL clock (lru-cache treats a start time of 0 as "no TTL", so it starts later);
  // at(ms) moves it and the wall clock (NOW at 0) together.
  let elapsedMs = 0;
  const perf = { now: () => 1_000 + elapsedMs };
  const at = (ms: number) => (elapsedMs = ms);
  const cache = new MemoryCardCache({ maxEntries: 100, maxBytes: 10_000, ttlMs: 3_000, volatileTtlMs: 1_000, perf, ...options });
  const put = (id: string, entry: CardEntry, { bytes = 10, volatile = false, mark = cache.mark() } = {}) =>
    cache.set(id, entry, bytes, volatile, mark, NOW + elapsedMs);
  return { cache, at, put };
}

describe('MemoryCardCache', () => {
  it('serves the very entry it was given (no copy, no decode)', () => {
    const { cache, put } = setUp();
    const entry = card('a');
    expect(put('a', entry)).toBe(true);
    expect(cache.get('a')).toBe(entry);
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('keeps missing answers (deleted, not found) like cards', () => {
    const { cache, put } = setUp();
    put('gone', { type: 'missing', reason: MissingReason.DELETED, expiresAtMs: FAR });
    put('nope', { type: 'missing', reason: MissingReason.NOT_FOUND, expiresAtMs: FAR });
    expect(cache.get('gone')).toEqual({ type: 'missing', reason: MissingReason.DELETED, expiresAtMs: FAR });
    expect(cache.get('nope')).toMatchObject({ type: 'missing', reason: MissingReason.NOT_FOUND });
  });

  it('expires entries after their kind TTL, volatile ones sooner', () => {
    const { cache, at, put } = setUp();
    put('article', card('article'));
    put('live', card('live'), { volatile: true });
    at(999);
    expect(cache.get('live')).toBeDefined();
    at(1_001);
    expect(cache.get('live')).toBeUndefined();
    expect(cache.get('article')).toBeDefined();
    at(2_999);
    expect(cache.get('article')).toBeDefined();
    at(3_001);
    expect(cache.get('article')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('never keeps an entry past the expiry of the Redis entry it mirrors', () => {
    const { cache, at, put } = setUp();
    put('short', card('short', NOW + 500));
    expect(put('expired', card('expired', NOW - 1))).toBe(false);
    expect(put('unstamped', card('unstamped', 0))).toBe(false);
    at(499);
    expect(cache.get('short')).toBeDefined();
    at(501);
    expect(cache.get('short')).toBeUndefined();
    expect(cache.get('expired')).toBeUndefined();
  });

  it('evicts the least recently used entry beyond maxEntries', () => {
    const { cache, put } = setUp({ maxEntries: 2 });
    put('a', card('a'));
    put('b', card('b'));
    cache.get('a'); // a is now the most recently used
    put('c', card('c'));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.size).toBe(2);
  });

  it('evicts beyond maxBytes and refuses an entry larger than the whole budget', () => {
    const { cache, put } = setUp({ maxBytes: 100 });
    put('a', card('a'), { bytes: 40 });
    put('b', card('b'), { bytes: 40 });
    expect(cache.bytes).toBe(80);
    put('c', card('c'), { bytes: 40 });
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBe(80);
    expect(put('huge', card('huge'), { bytes: 101 })).toBe(false);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('b')).toBeDefined();
  });

  it('drops invalidated entries and refuses fills read before the invalidation', () => {
    const { cache, put } = setUp();
    put('a', card('a'));
    const beforeDelete = cache.mark();
    cache.invalidate(['a']);
    expect(cache.get('a')).toBeUndefined();
    // A Redis reply (or Postgres row) read before the DEL arrives after its invalidation.
    expect(put('a', card('a'), { mark: beforeDelete })).toBe(false);
    expect(cache.get('a')).toBeUndefined();
    // Other ids are not affected, and data read after the invalidation is kept.
    expect(put('b', card('b'), { mark: beforeDelete })).toBe(true);
    expect(put('a', card('a'))).toBe(true);
    expect(cache.get('a')).toBeDefined();
  });

  it('clear() drops everything and refuses every fill marked before it', () => {
    const { cache, put } = setUp();
    put('a', card('a'));
    const before = cache.mark();
    cache.clear();
    expect(cache.size).toBe(0);
    expect(put('b', card('b'), { mark: before })).toBe(false);
    expect(put('b', card('b'))).toBe(true);
  });

  it('stays safe when invalidations outnumber the tombstones it keeps', () => {
    const { cache, put } = setUp({ maxTombstones: 1 });
    const before = cache.mark();
    cache.invalidate(['a']);
    cache.invalidate(['b']); // evicts a's tombstone
    expect(put('a', card('a'), { mark: before })).toBe(false);
    expect(put('a', card('a'))).toBe(true);
  });
});
