// The read path's single door to the read model: Redis first, Postgres on a miss (the row is
// written back, so the next page finds it), every lookup counted by outcome so a benchmark and
// the /metrics page can show the hit ratio and the Postgres fallbacks.
import type pg from 'pg';
import type { RedisClient } from '../redis.js';
import { loadItemRecords, readItemRecords, writeItemRecords, type ItemRecord } from './item-records.js';
import {
  loadUserReadModel,
  readUserReadModel,
  writeUserReadModelSnapshot,
  type UserReadModel,
  type UserReadModelLimits,
} from './user-read-model.js';

/** `hit`: from Redis; `miss`: from Postgres (written back); `absent`: Postgres has no such row. */
export type ReadModelOutcome = 'hit' | 'miss' | 'absent';

export interface ReadModelOptions {
  limits: UserReadModelLimits;
  /** Called once per lookup outcome with how many keys (users or items) had it. */
  onLookup?: (what: 'user' | 'item', outcome: ReadModelOutcome, count: number) => void;
  /** A failed write-back is not the reader's failure; it is reported here. */
  onWriteBackError?: (error: unknown) => void;
}

export class ReadModel {
  constructor(
    private readonly redis: RedisClient,
    private readonly pool: pg.Pool,
    private readonly options: ReadModelOptions,
  ) {}

  /** The user's read model, or undefined when the user does not exist. */
  async user(userId: string): Promise<UserReadModel | undefined> {
    const cached = await readUserReadModel(this.redis, userId);
    if (cached) {
      this.count('user', 'hit', 1);
      return cached;
    }
    const loaded = await loadUserReadModel(this.pool, userId, this.options.limits);
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
    const found = await readItemRecords(this.redis, ids);
    this.count('item', 'hit', found.size);
    if (found.size === ids.length) return found;
    const missing = ids.filter((id) => !found.has(id));
    const loaded = await loadItemRecords(this.pool, missing);
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
