// Redis read-through cache of rendered cards, fail-open: any Redis error or slowness reads as a
// miss and a failed write is dropped, so render keeps serving from Postgres when Redis is down.
import { withDeadline } from '@feedmesh/service-kit';
import { redisKeys, type RedisClient } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import { Cluster } from 'ioredis';
import { decodeCardEntry, encodeCardEntry, type CardEntry } from './card-entry.js';

export interface RenderedCardCacheOptions {
  /** A cache read slower than this counts as all misses (Postgres is the fallback). */
  readTimeoutMs: number;
  /** Relative TTL jitter (0.1 = ±10 %), so entries written together do not expire together. */
  ttlJitter: number;
  random?: () => number;
}

export interface CacheWrite {
  id: string;
  entry: CardEntry;
  /** TTL before jitter. */
  ttlMs: number;
}

/** A write as stored: `entry.expiresAtMs` = write time + `ttlMs` (jittered). */
export interface StampedWrite {
  id: string;
  entry: CardEntry;
  /** encodeCardEntry(entry). */
  value: Buffer;
  ttlMs: number;
}

export interface CachedCard {
  entry: CardEntry;
  /** Encoded size. */
  bytes: number;
}

export class RenderedCardCache {
  private readonly random: () => number;
  private readonly readLimit: { timeoutMs: number };
  private lastWarnMs = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly logger: Logger,
    private readonly options: RenderedCardCacheOptions,
  ) {
    this.random = options.random ?? Math.random;
    this.readLimit = { timeoutMs: options.readTimeoutMs };
  }

  /** Entries found for `ids` with their encoded size (undecodable values count as misses). Never throws. */
  async getMany(ids: readonly string[]): Promise<Map<string, CachedCard>> {
    const found = new Map<string, CachedCard>();
    if (ids.length === 0) return found;
    let values: Array<Buffer | null>;
    try {
      values = await withDeadline(this.readAll(ids.map((id) => redisKeys.renderedCard(id))), this.readLimit, 'card cache read');
    } catch (error) {
      this.warn(error, 'card cache read failed; rendering from Postgres');
      return found;
    }
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      const entry = value ? decodeCardEntry(value) : undefined;
      if (entry) found.set(ids[i]!, { entry, bytes: value!.length });
    }
    return found;
  }

  /** Gives each write its jittered TTL, the matching expiry inside the entry, and its encoding. */
  stamp(writes: readonly CacheWrite[], nowMs = Date.now()): StampedWrite[] {
    return writes.map(({ id, entry, ttlMs }) => {
      const jittered = Math.max(1, Math.round(ttlMs * (1 + this.options.ttlJitter * (2 * this.random() - 1))));
      const stamped: CardEntry = { ...entry, expiresAtMs: nowMs + jittered };
      return { id, entry: stamped, value: encodeCardEntry(stamped), ttlMs: jittered };
    });
  }

  /** Writes what stamp() prepared, each with its PX TTL. Never throws. */
  async writeStamped(writes: readonly StampedWrite[]): Promise<void> {
    if (writes.length === 0) return;
    try {
      if (this.redis instanceof Cluster) {
        // Keys hash to different slots; a Cluster pipeline must stay within one slot.
        await Promise.all(writes.map(({ id, value, ttlMs }) => this.redis.set(redisKeys.renderedCard(id), value, 'PX', ttlMs)));
      } else {
        const pipeline = this.redis.pipeline();
        for (const { id, value, ttlMs } of writes) pipeline.set(redisKeys.renderedCard(id), value, 'PX', ttlMs);
        throwFirstError(await pipeline.exec());
      }
    } catch (error) {
      this.warn(error, 'card cache write failed');
    }
  }

  private async readAll(keys: string[]): Promise<Array<Buffer | null>> {
    if (this.redis instanceof Cluster) return Promise.all(keys.map((key) => this.redis.getBuffer(key)));
    // One round trip on a single Redis (MGET would be one command too, but it is not allowed
    // across hash tags once the deployment moves to Cluster).
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.getBuffer(key);
    const results = throwFirstError(await pipeline.exec());
    return results.map(([, value]) => (value as Buffer | null) ?? null);
  }

  /** At most one warning per 10 s: a Redis outage must not flood the logs. */
  private warn(error: unknown, message: string): void {
    const now = Date.now();
    if (now - this.lastWarnMs < 10_000) return;
    this.lastWarnMs = now;
    this.logger.warn({ err: error }, message);
  }
}

type ExecResult = Array<[error: Error | null, result: unknown]> | null;

function throwFirstError(results: ExecResult): Array<[Error | null, unknown]> {
  if (results === null) throw new Error('pipeline aborted');
  const failed = results.find(([error]) => error);
  if (failed) throw failed[0];
  return results;
}
