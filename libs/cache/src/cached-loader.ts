// The one in-process cache of the mesh: a size-bounded, TTL'd map in front of a loader, on
// lru-cache's fetch(). lru-cache gives the bound, the expiry and the coalescing (concurrent
// misses of a key share one load; a failed load is not kept, so the next lookup tries again).
// Added here: a "not found" kept for its own TTL, batch loads that still coalesce per key,
// per-value TTLs, background refresh that keeps serving the old value, and counters.
//
// A delete(), set() or clear() while a key is loading keeps that load's result out of the cache
// (its callers still get it): a load that raced an invalidation cannot bring old data back.
import { LRUCache } from 'lru-cache';

/** lru-cache keys and values: anything but null and undefined. */
type Defined = NonNullable<unknown>;

/** Hooks for the app's metrics (see CacheCounters); each is called synchronously. */
export interface CacheMetrics {
  /** A lookup answered by a kept entry (a kept "not found" included). */
  hit?(): void;
  /** A load() or loadMany() lookup that had to wait for a load (its own or one in flight). */
  miss?(): void;
  /** A call of the loader: one per key (load), one per batch (loadBatch). */
  load?(): void;
  /** A loader call that rejected (nothing is kept; its callers get the error). */
  loadError?(error: unknown): void;
  /** An entry dropped to make room (not an expiry, delete or clear). */
  evict?(): void;
}

/** Plain counters, for metrics read at scrape time. */
export class CacheCounters implements Required<CacheMetrics> {
  hits = 0;
  misses = 0;
  loads = 0;
  loadErrors = 0;
  evictions = 0;
  hit(): void {
    this.hits++;
  }
  miss(): void {
    this.misses++;
  }
  load(): void {
    this.loads++;
  }
  loadError(): void {
    this.loadErrors++;
  }
  evict(): void {
    this.evictions++;
  }
}

export interface CachedLoaderOptions<K extends Defined, V extends Defined> {
  /** Loads one key; undefined: not found. One of load and loadBatch is required. */
  load?: (key: K) => Promise<V | undefined>;
  /** Loads several keys in one call (a key absent from the map is not found). */
  loadBatch?: (keys: K[]) => Promise<ReadonlyMap<K, V>>;
  /** Most entries kept; the least recently used go first. */
  maxEntries: number;
  /** How long a loaded value is kept; 0: nothing is kept (concurrent loads still share one). */
  ttlMs: number;
  /** The TTL of one value, instead of ttlMs; below 1 ms the value is returned but not kept. */
  ttlOf?: (value: V, key: K) => number;
  /** How long a "not found" is kept; 0 (default): not kept, the next lookup loads again. */
  notFoundTtlMs?: number;
  /** Bound on the sum of the kept values' sizeOf (needs sizeOf). */
  maxSize?: number;
  sizeOf?: (value: V, key: K) => number;
  /** Monotonic clock in ms, read on every check (tests). Must not read 0: lru-cache takes a start of 0 as "no TTL". */
  now?: () => number;
  metrics?: CacheMetrics;
}

const NOT_FOUND = Symbol('not found');
type Kept<V> = V | typeof NOT_FOUND;

const found = <V>(kept: Kept<V> | undefined): V | undefined => (kept === NOT_FOUND ? undefined : kept);

/** The keys whose fetchMethod ran during one loadMany()/refresh(), loaded together afterwards. */
class Batch<K, V> {
  readonly keys: K[] = [];
  readonly values: Promise<ReadonlyMap<K, V>>;
  private resolve!: (values: ReadonlyMap<K, V>) => void;
  private reject!: (error: unknown) => void;

  constructor() {
    this.values = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  run(load: (keys: K[]) => Promise<ReadonlyMap<K, V>>, metrics: CacheMetrics | undefined): void {
    metrics?.load?.();
    let loading: Promise<ReadonlyMap<K, V>>;
    try {
      loading = load(this.keys);
    } catch (error) {
      loading = Promise.reject(error); // a throw must not leave the keys loading forever
    }
    loading.then(this.resolve, (error: unknown) => {
      metrics?.loadError?.(error);
      this.reject(error);
    });
  }
}

interface FillOptions {
  ttl?: number;
}

export class CachedLoader<K extends Defined, V extends Defined> {
  private readonly cache: LRUCache<K, Kept<V>, unknown>;
  private readonly metrics: CacheMetrics | undefined;

  constructor(private readonly options: CachedLoaderOptions<K, V>) {
    if (!options.load && !options.loadBatch) throw new TypeError('CachedLoader needs load or loadBatch');
    const { metrics, sizeOf, maxSize, now } = options;
    this.metrics = metrics;
    const evict = metrics?.evict;
    this.cache = new LRUCache<K, Kept<V>, unknown>({
      max: Math.max(1, options.maxEntries),
      ...(options.ttlMs >= 1 && !options.ttlOf ? { ttl: Math.floor(options.ttlMs) } : {}),
      ...(sizeOf && maxSize ? { maxSize: Math.max(1, maxSize), sizeCalculation: (value: Kept<V>, key: K) => (value === NOT_FOUND ? 1 : Math.max(1, Math.ceil(sizeOf(value, key)))) } : {}),
      // A load whose entry was deleted, replaced or evicted still answers its callers; it is just not kept.
      ignoreFetchAbort: true,
      fetchMethod: (key, _stale, { signal, options: fill, context }) => this.fill(key, signal, fill, context as Batch<K, V> | undefined),
      ...(evict ? { dispose: (_value: Kept<V>, _key: K, reason: LRUCache.DisposeReason) => reason === 'evict' && evict.call(metrics) } : {}),
      // lru-cache reads its clock at most once per ms (ttlResolution) unless given one to read.
      ...(now ? { perf: { now }, ttlResolution: 0 } : {}),
    });
  }

  /** The kept value of `key`, without loading (undefined: nothing kept, or a kept "not found"). Counts a hit when found. */
  get(key: K): V | undefined {
    const kept = this.cache.get(key);
    if (kept === undefined || kept === NOT_FOUND) return undefined;
    this.metrics?.hit?.();
    return kept;
  }

  /** The value of `key`, kept or loaded; undefined: not found. Rejects when the load does. */
  load(key: K): Promise<V | undefined> {
    const kept = this.cache.get(key);
    if (kept !== undefined) {
      this.metrics?.hit?.();
      return Promise.resolve(found(kept));
    }
    this.metrics?.miss?.();
    return this.cache.fetch(key).then(found);
  }

  /**
   * The values of `keys` (repeats allowed), kept or loaded; keys not found are left out. The
   * misses nobody is loading yet are loaded in one loadBatch call. Rejects when a load does.
   */
  async loadMany(keys: readonly K[]): Promise<Map<K, V>> {
    const out = new Map<K, V>();
    let batch: Batch<K, V> | undefined;
    let waiting: K[] | undefined;
    let loads: Array<Promise<Kept<V> | undefined>> | undefined;
    for (const key of keys) {
      const kept = this.cache.get(key);
      if (kept !== undefined) {
        this.metrics?.hit?.();
        if (kept !== NOT_FOUND) out.set(key, kept);
        continue;
      }
      this.metrics?.miss?.();
      (waiting ??= []).push(key);
      // fetch() runs fetchMethod synchronously for a key nobody is loading, adding it to `batch`.
      (loads ??= []).push(this.cache.fetch(key, { context: (batch ??= new Batch()) }));
    }
    if (waiting === undefined || loads === undefined) return out;
    if (batch !== undefined && batch.keys.length > 0) batch.run(this.batchLoader, this.metrics);
    const values = await Promise.all(loads);
    for (let i = 0; i < waiting.length; i++) {
      const value = found(values[i]);
      if (value !== undefined) out.set(waiting[i]!, value);
    }
    return out;
  }

  /**
   * Loads `keys` again in one batch (joining loads already in flight); until a key's load is
   * done, get() keeps answering its old value. Resolves when the loads are done; rejects when one fails.
   */
  async refresh(keys: readonly K[]): Promise<void> {
    const batch = new Batch<K, V>();
    const loads = keys.map((key) => this.cache.fetch(key, { context: batch, forceRefresh: true, allowStale: false }));
    if (batch.keys.length > 0) batch.run(this.batchLoader, this.metrics);
    await Promise.all(loads);
  }

  /** Keeps `value` for `ttlMs` (default: its TTL). False when it is not kept (TTL below 1 ms, or larger than maxSize). */
  set(key: K, value: V, ttlMs = this.ttlOf(value, key)): boolean {
    if (!(ttlMs >= 1)) return false;
    this.cache.set(key, value, { ttl: Math.floor(ttlMs) });
    return this.cache.has(key);
  }

  /** Drops `key`; a load of it in flight is not kept. */
  delete(key: K): void {
    this.cache.delete(key);
  }

  /** Drops every entry; loads in flight are not kept. */
  clear(): void {
    this.cache.clear();
  }

  /** Entries kept (loads in flight included). */
  get size(): number {
    return this.cache.size;
  }

  /** Sum of the kept entries' sizes (0 without maxSize). */
  get totalSize(): number {
    return this.cache.calculatedSize;
  }

  private ttlOf(value: V, key: K): number {
    return this.options.ttlOf ? this.options.ttlOf(value, key) : this.options.ttlMs;
  }

  private readonly batchLoader = (keys: K[]): Promise<ReadonlyMap<K, V>> => {
    const { loadBatch, load } = this.options;
    if (loadBatch) return loadBatch(keys);
    return Promise.all(keys.map((key) => load!(key))).then((values) => {
      const out = new Map<K, V>();
      for (let i = 0; i < keys.length; i++) if (values[i] !== undefined) out.set(keys[i]!, values[i]!);
      return out;
    });
  };

  /** lru-cache's fetchMethod: one key's load (alone, or its share of `batch`), then what to keep. */
  private fill(key: K, signal: AbortSignal, fill: FillOptions, batch: Batch<K, V> | undefined): Promise<Kept<V>> {
    if (batch !== undefined) {
      batch.keys.push(key);
      return batch.values.then((values) => this.keep(key, values.get(key), signal, fill));
    }
    const { load, loadBatch } = this.options;
    this.metrics?.load?.();
    const loading = load ? load(key) : loadBatch!([key]).then((values) => values.get(key));
    return loading.then(
      (value) => this.keep(key, value, signal, fill),
      (error: unknown) => {
        this.metrics?.loadError?.(error);
        throw error;
      },
    );
  }

  /** Sets the TTL lru-cache stores `value` with, or drops the entry when it is not to be kept. */
  private keep(key: K, value: V | undefined, signal: AbortSignal, fill: FillOptions): Kept<V> {
    const ttl = value === undefined ? (this.options.notFoundTtlMs ?? 0) : this.ttlOf(value, key);
    if (ttl >= 1) fill.ttl = Math.floor(ttl);
    // Deleting the entry of this load aborts it: lru-cache then hands the value to its callers
    // without keeping it. An aborted load's entry is someone else's already.
    else if (!signal.aborted) this.cache.delete(key);
    return value ?? NOT_FOUND;
  }
}
