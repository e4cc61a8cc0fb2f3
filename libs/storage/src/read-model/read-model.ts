// The read path's single door to the read model: Redis first, Postgres on a miss (the row is
// written back, so the next page finds it), every lookup counted by outcome so a benchmark and
// the /metrics page can show the hit ratio and the Postgres fallbacks.
import { LRUCache } from 'lru-cache';
import type pg from 'pg';
import type { RedisClient } from '../redis.js';
import { ItemsRepository } from '../repositories/items-repository.js';
import { UsersRepository } from '../repositories/users-repository.js';
import {
  itemDeletionsEnd,
  laterStreamId,
  readItemDeletions,
  readItemRecords,
  writeItemRecords,
  type DeletionsCursor,
  type ItemRecord,
} from './item-records.js';
import {
  readUserReadModel,
  writeUserReadModelSnapshot,
  type UserReadModel,
  type UserReadModelLimits,
} from './user-read-model.js';

/**
 * `memory`: from the reader's in-process record cache; `hit`: from Redis; `miss`: from Postgres
 * (written back); `absent`: Postgres has no such row.
 */
export type ReadModelOutcome = 'memory' | 'hit' | 'miss' | 'absent';

export interface ReadModelOptions {
  limits: UserReadModelLimits;
  /** Called once per lookup outcome with how many keys (users or items) had it. */
  onLookup?: (what: 'user' | 'item', outcome: ReadModelOutcome, count: number) => void;
  /** A failed write-back is not the reader's failure; it is reported here. */
  onWriteBackError?: (error: unknown) => void;
  /**
   * Item records kept in process for `ttlMs` (at most `max`), for readers that read the same hot
   * items many times a second (recall: every topic's, pulled author's and trending item on every
   * page). Its counters are at most `ttlMs` old (they are ranking features); a deletion is seen
   * at once: every lookup first applies the deletions stream's new entries (one XRANGE).
   */
  itemRecordCache?: { ttlMs: number; max: number };
}

export class ReadModel {
  private readonly recentRecords: LRUCache<string, ItemRecord> | undefined;
  private deletions: DeletionsCursor | undefined;
  /** Bumped whenever deletions are applied: records read across a bump are not kept. */
  private deletionsApplied = 0;
  private readonly items: ItemsRepository;
  private readonly users: UsersRepository;

  constructor(
    private readonly redis: RedisClient,
    pool: pg.Pool,
    private readonly options: ReadModelOptions,
  ) {
    this.items = new ItemsRepository(pool);
    this.users = new UsersRepository(pool);
    const cache = options.itemRecordCache;
    this.recentRecords = cache && cache.ttlMs > 0 && cache.max > 0 ? new LRUCache({ max: cache.max, ttl: cache.ttlMs }) : undefined;
  }

  /** The user's read model, or undefined when the user does not exist. */
  async user(userId: string): Promise<UserReadModel | undefined> {
    const cached = await readUserReadModel(this.redis, userId);
    if (cached) {
      this.count('user', 'hit', 1);
      return cached;
    }
    const loaded = await this.users.readModel(userId, this.options.limits);
    if (!loaded) {
      this.count('user', 'absent', 1);
      return undefined;
    }
    this.count('user', 'miss', 1);
    writeUserReadModelSnapshot(this.redis, userId, loaded.fields).catch((error: unknown) => this.options.onWriteBackError?.(error));
    return loaded.model;
  }

  /** Records of `ids`; an id Postgres does not know either is absent from the map. */
  async itemRecords(ids: readonly string[]): Promise<Map<string, ItemRecord>> {
    const recent = this.recentRecords;
    if (recent === undefined) return this.storedItemRecords(ids);
    await this.applyDeletions(recent);
    const epoch = this.deletionsApplied;
    const found = new Map<string, ItemRecord>();
    const unknown: string[] = [];
    for (const id of ids) {
      const record = recent.get(id);
      if (record === undefined) unknown.push(id);
      else found.set(id, record);
    }
    this.count('item', 'memory', found.size);
    if (unknown.length === 0) return found;
    const stored = await this.storedItemRecords(unknown);
    // A record read while another lookup applied deletions may predate one of them.
    const keep = epoch === this.deletionsApplied;
    for (const [id, record] of stored) {
      if (keep) recent.set(id, record);
      found.set(id, record);
    }
    return found;
  }

  /**
   * Drops the records of items deleted since the last lookup. The cursor is taken before any
   * record is read from Redis, so a deletion racing a read is applied by the next lookup.
   */
  private async applyDeletions(recent: LRUCache<string, ItemRecord>): Promise<void> {
    if (this.deletions === undefined) {
      this.deletions = await itemDeletionsEnd(this.redis);
      recent.clear();
      return;
    }
    const { ids, cursor, complete } = await readItemDeletions(this.redis, this.deletions);
    if (!complete) recent.clear();
    for (const id of ids) recent.delete(id);
    if (ids.length > 0 || !complete) this.deletionsApplied++;
    this.deletions = laterStreamId(this.deletions, cursor);
  }

  private async storedItemRecords(ids: readonly string[]): Promise<Map<string, ItemRecord>> {
    const found = await readItemRecords(this.redis, ids);
    this.count('item', 'hit', found.size);
    if (found.size === ids.length) return found;
    const missing = ids.filter((id) => !found.has(id));
    const loaded = await this.items.records(missing);
    this.count('item', 'miss', loaded.size);
    this.count('item', 'absent', missing.length - loaded.size);
    if (loaded.size > 0) {
      writeItemRecords(this.redis, [...loaded], { overwrite: false }).catch((error: unknown) => this.options.onWriteBackError?.(error));
      for (const [id, record] of loaded) found.set(id, record);
    }
    return found;
  }

  private count(what: 'user' | 'item', outcome: ReadModelOutcome, n: number): void {
    if (n > 0) this.options.onLookup?.(what, outcome, n);
  }
}
