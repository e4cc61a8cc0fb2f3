// The two cache layers in lookup order: this process's memory (decoded cards, seconds), then
// Redis (encoded cards shared by every render process, minutes). Redis hits and new cards are
// copied into memory; writes go to both.
import { isVolatileCard } from '../templates/card-templates.js';
import type { CardEntry } from './card-entry.js';
import type { MemoryCardCache } from './memory-card-cache.js';
import type { CacheWrite, RenderedCardCache } from './rendered-card-cache.js';

/**
 * One call's lookup, by position in the request (no per-call Map on the common all-hit path;
 * a repeated id is looked up per position).
 */
export interface CardLookup {
  readonly ids: readonly string[];
  /** `entries[i]`: the cached entry of `ids[i]`, undefined when neither layer had it. */
  readonly entries: Array<CardEntry | undefined>;
  /** Distinct ids neither layer had, in request order. */
  misses: string[];
  /** Positions answered by memory / by Redis. */
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
    const lookup = this.fromMemory(ids);
    if (lookup.misses.length > 0) await this.fromRedis(lookup);
    return lookup;
  }

  /** The memory layer's answer (synchronous); `misses` are still to be looked up in Redis. */
  fromMemory(ids: readonly string[]): CardLookup {
    const entries = new Array<CardEntry | undefined>(ids.length);
    let misses: string[] | undefined;
    let missed: Set<string> | undefined; // distinct misses, only built once an id misses
    let memoryHits = 0;
    const memory = this.memory;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const entry = memory?.get(id);
      entries[i] = entry;
      if (entry !== undefined) memoryHits++;
      else if (!(missed ??= new Set()).has(id)) {
        missed.add(id);
        (misses ??= []).push(id);
      }
    }
    return { ids, entries, misses: misses ?? [], memoryHits, redisHits: 0 };
  }

  /** Looks `lookup.misses` up in Redis, filling their positions (and memory). Never throws. */
  async fromRedis(lookup: CardLookup): Promise<void> {
    const memory = this.memory;
    const mark = memory?.mark() ?? 0;
    const found = await this.redis.getMany(lookup.misses);
    if (found.size === 0) return;
    const nowMs = Date.now();
    for (const [id, { entry, bytes }] of found) memory?.set(id, entry, bytes, isVolatile(entry), mark, nowMs);
    const { ids, entries } = lookup;
    for (let i = 0; i < ids.length; i++) {
      if (entries[i] !== undefined) continue;
      const hit = found.get(ids[i]!);
      if (hit === undefined) continue;
      entries[i] = hit.entry;
      lookup.redisHits++;
    }
    lookup.misses = lookup.misses.filter((id) => !found.has(id));
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
