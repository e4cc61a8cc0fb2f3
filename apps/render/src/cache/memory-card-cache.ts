// In-process layer in front of the Redis card cache: hot cards are served from this process's
// memory, decoded, so a hit costs neither a Redis round trip nor a protobuf decode.
//
// Staleness is bounded three ways:
// - every entry lives at most its kind's memory TTL (short: seconds; shorter for volatile live
//   cards) and never past the expiry of the Redis entry it mirrors;
// - the write path's DEL of a card key (ingest on edit/delete, invalidateRenderedCards) reaches
//   invalidate() through Redis client tracking (card-invalidations.ts) within milliseconds;
// - a fill that raced an invalidation is dropped: callers take a mark() before they read Redis
//   or Postgres and pass it to set(), and set() refuses data read before a later invalidation of
//   the same id (or before a clear()), so a reply that left Redis before the DEL but arrived
//   after its invalidation cannot bring the old card back.
// Entries are shared by every response that hits them: treat them as immutable.
import { LRUCache } from 'lru-cache';
import type { CardEntry } from './card-entry.js';

export interface MemoryCardCacheOptions {
  /** Most entries kept. */
  maxEntries: number;
  /** Most bytes kept, counted as the entries' encoded (Redis) size. */
  maxBytes: number;
  /** Lifetime of an article or video card and of a missing answer. */
  ttlMs: number;
  /** Lifetime of a volatile (live) card. */
  volatileTtlMs: number;
  /** Invalidations remembered for racing fills (older ones make every older fill refused). */
  maxTombstones?: number;
  /** Monotonic clock of the entry TTLs, read on every check (tests). */
  perf?: { now(): number };
}

export class MemoryCardCache {
  private readonly entries: LRUCache<string, CardEntry>;
  /** Id → generation of its latest invalidation. */
  private readonly tombstones: LRUCache<string, number>;
  private generation = 0;
  /** Fills marked before this generation are refused (a clear(), or an evicted tombstone). */
  private floor = 0;

  constructor(private readonly options: MemoryCardCacheOptions) {
    this.entries = new LRUCache<string, CardEntry>({
      max: Math.max(1, options.maxEntries),
      maxSize: Math.max(1, options.maxBytes),
      ttl: Math.max(1, options.ttlMs),
      // lru-cache reads its clock at most once per ms (ttlResolution) unless given one to read.
      ...(options.perf ? { perf: options.perf, ttlResolution: 0 } : {}),
    });
    this.tombstones = new LRUCache<string, number>({
      max: options.maxTombstones ?? 10_000,
      dispose: (generation, _id, reason) => {
        if (reason === 'evict' && generation >= this.floor) this.floor = generation + 1;
      },
    });
  }

  /** The entry of `id` if present and not expired. */
  get(id: string): CardEntry | undefined {
    return this.entries.get(id);
  }

  /** Stamp to take before reading what will be passed to set(). */
  mark(): number {
    return this.generation;
  }

  /**
   * Keeps `entry` (encoded size `bytes`) for its kind's TTL, capped by the entry's own expiry.
   * Skipped when `id` was invalidated (or the cache cleared) after `mark` was taken.
   */
  set(id: string, entry: CardEntry, bytes: number, volatile: boolean, mark: number, nowMs = Date.now()): boolean {
    if (mark < this.floor || (this.tombstones.peek(id) ?? -1) >= mark) return false;
    const ttl = Math.min(volatile ? this.options.volatileTtlMs : this.options.ttlMs, entry.expiresAtMs - nowMs);
    if (!(ttl >= 1)) return false;
    this.entries.set(id, entry, { ttl: Math.floor(ttl), size: Math.max(1, bytes) });
    return this.entries.has(id); // false when larger than maxBytes on its own
  }

  /** Drops the entries of `ids` and refuses fills of them that were marked before now. */
  invalidate(ids: Iterable<string>): void {
    for (const id of ids) {
      this.entries.delete(id);
      this.tombstones.set(id, this.generation);
    }
    this.generation++;
  }

  /** Drops every entry and refuses every fill marked before now (invalidations may be lost). */
  clear(): void {
    this.entries.clear();
    this.tombstones.clear();
    this.floor = ++this.generation;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Sum of the kept entries' encoded sizes. */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}
