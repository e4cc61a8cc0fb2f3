// Zsets that many users read alike — a topic's recent items, a pulled (celebrity) author's
// recent items — read once per TTL for every request, already decoded and hydrated with their
// item records. On the benchmark data a first page read ~12 pulled authors and 5 topics: ~900 of
// its ~1,030 zset entries and most of its ~525 item records came from ~85 keys shared by every
// user (42 pulled authors, 43 topics), decoded again on every page. Only the user's own home
// timeline stays a per-request read.
import { CachedLoader, type CacheMetrics } from '@feedmesh/cache';
import { type ItemRecord, type ReadModel, type RedisClient, readTopEntries, type ZsetEntry } from '@feedmesh/storage';

/** A zset entry whose item is active, with the item's record (so hydration skips it). */
export interface HydratedEntry extends ZsetEntry {
  record: ItemRecord;
}

export interface SharedZsetsOptions {
  /** Reads the top `depth` entries of `key`, hydrated; dropped entries are not returned. */
  load: (key: string, depth: number) => Promise<readonly HydratedEntry[]>;
  /** Entries kept per key: the most any reader asks for. */
  depth: number;
  /** How long one read serves every request (RECALL_SHARED_SOURCES_TTL_MS); 0 reads per request. */
  ttlMs: number;
  /** Bound on the keys held (least recently used go first). */
  maxKeys: number;
  /** The clock (tests). */
  now?: () => number;
  metrics?: CacheMetrics;
}

export interface SharedZsets {
  /** The top `count` (≤ depth) hydrated entries of each key, in order. */
  read(reads: ReadonlyArray<{ key: string; count: number }>): Promise<Array<readonly HydratedEntry[]>>;
}

export function createSharedZsets({ load, depth, ttlMs, maxKeys, now, metrics }: SharedZsetsOptions): SharedZsets {
  const top = (entries: readonly HydratedEntry[], count: number) => (entries.length > count ? entries.slice(0, count) : entries);
  if (ttlMs <= 0) {
    return { read: (reads) => Promise.all(reads.map(({ key, count }) => (count > 0 ? load(key, Math.min(count, depth)) : []))) };
  }
  // Concurrent misses of a key share one load; failures are not kept.
  const cache = new CachedLoader<string, readonly HydratedEntry[]>({ load: (key) => load(key, depth), maxEntries: maxKeys, ttlMs, now, metrics });
  return {
    read: (reads) =>
      Promise.all(
        reads.map(async ({ key, count }) => {
          if (count <= 0) return [];
          const entries = await cache.load(key);
          return top(entries ?? [], Math.min(count, depth));
        }),
      ),
  };
}

/** The loader over Redis: one ZREVRANGE, then the entries' records through the read model. */
export function hydratedTopEntries(redis: RedisClient, readModel: ReadModel) {
  return async (key: string, depth: number): Promise<HydratedEntry[]> => {
    const entries = await readTopEntries(redis, key, depth);
    if (entries.length === 0) return [];
    const records = await readModel.itemRecords(entries.map((e) => e.member.id));
    const hydrated: HydratedEntry[] = [];
    for (const entry of entries) {
      const record = records.get(entry.member.id);
      if (record?.status === 'active') hydrated.push({ ...entry, record });
    }
    return hydrated;
  };
}
