// The two cache layers in lookup order: this process's memory (decoded cards, seconds), then
// Redis (encoded cards shared by every render process, minutes). Redis hits and new cards are
// copied into memory; writes go to both.
import { isVolatileCard } from '../templates/card-templates.js';
import type { CardEntry } from './card-entry.js';
import type { MemoryCardCache } from './memory-card-cache.js';
import type { CacheWrite, RenderedCardCache } from './rendered-card-cache.js';

export interface CardLookup {
  /** Entries found in either layer, by id. */
  hits: Map<string, CardEntry>;
  /** Distinct ids neither layer had, in request order. */
  misses: string[];
  /** Distinct ids found in memory / in Redis. */
  memoryHits: number;
  redisHits: number;
}

const isVolatile = (entry: CardEntry) => entry.type === 'card' && isVolatileCard(entry.item);

export class CardCache {
  constructor(
    private readonly redis: RenderedCardCache,
    /** Undefined: no memory layer (RENDER_MEMORY_CACHE_MAX or _TTL_MS set to 0). */
    readonly memory: MemoryCardCache | undefined,
  ) {}

  /** Looks `ids` (repeats allowed) up in memory, then the rest in Redis. Never throws. */
  async getMany(ids: readonly string[]): Promise<CardLookup> {
    const hits = new Map<string, CardEntry>();
    let misses: string[] = [];
    let missed: Set<string> | undefined;
    const memory = this.memory;
    for (const id of ids) {
      if (hits.has(id)) continue;
      const entry = memory?.get(id);
      if (entry !== undefined) hits.set(id, entry);
      else if (!(missed ??= new Set()).has(id)) {
        missed.add(id);
        misses.push(id);
      }
    }
    const memoryHits = hits.size;
    if (misses.length === 0) return { hits, misses, memoryHits, redisHits: 0 };

    const mark = memory?.mark() ?? 0;
    const found = await this.redis.getMany(misses);
    if (found.size > 0) {
      const nowMs = Date.now();
      for (const [id, { entry, bytes }] of found) {
        hits.set(id, entry);
        memory?.set(id, entry, bytes, isVolatile(entry), mark, nowMs);
      }
      misses = misses.filter((id) => !found.has(id));
    }
    return { hits, misses, memoryHits, redisHits: found.size };
  }

  /** Stamp for setMany(): take it before reading the data being written. */
  mark(): number {
    return this.memory?.mark() ?? 0;
  }

  /**
   * Stores new entries in memory at once and in Redis in the background (not awaited; a failed
   * write is dropped). Returns the entries as stored, with their expiry.
   */
  setMany(writes: readonly CacheWrite[], mark: number, nowMs = Date.now()): Map<string, CardEntry> {
    const stamped = this.redis.stamp(writes, nowMs);
    const stored = new Map<string, CardEntry>();
    for (const { id, entry, value } of stamped) {
      stored.set(id, entry);
      this.memory?.set(id, entry, value.length, isVolatile(entry), mark, nowMs);
    }
    // Commands on one connection run in order, so a later read of these keys sees the write.
    void this.redis.writeStamped(stamped);
    return stored;
  }
}
