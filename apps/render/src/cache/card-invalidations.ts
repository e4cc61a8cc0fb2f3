// Keeps the memory layer in step with Redis through server-assisted client tracking: the cache's
// connection runs `CLIENT TRACKING ON BCAST PREFIX <card keys> NOLOOP REDIRECT <subscriber>`, so
// Redis sends the key of every card that anyone else sets, deletes or expires (ingest's DEL on an
// edit or delete, invalidateRenderedCards, another render process's refresh) to a RESP2
// subscriber connection of this process, which drops the card from memory. NOLOOP leaves out
// this process's own writes (it already holds what it wrote).
//
// Tracking lives as long as both connections; while either is down invalidations may be missed,
// so the memory layer is cleared each time tracking is (re)established, and in between its TTL
// bounds staleness. On a Redis Cluster (tracking is per node) only the TTL does.
import { redisKeys, type RedisClient } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import { Cluster, type Redis } from 'ioredis';
import type { MemoryCardCache } from './memory-card-cache.js';

const CHANNEL = '__redis__:invalidate';
const PROBE_ID = 'probe';

/** The card key of an id is `${head}${id}${tail}`; every card key starts with `head`. */
export function cardKeyShape(): { head: string; tail: string } {
  const key = redisKeys.renderedCard(PROBE_ID);
  const at = key.lastIndexOf(PROBE_ID);
  return { head: key.slice(0, at), tail: key.slice(at + PROBE_ID.length) };
}

export interface CardInvalidationsEvents {
  /** Ids dropped by one invalidation message (null: Redis was flushed, everything dropped). */
  invalidated?: (ids: number | null) => void;
  /** Tracking turned on (true) or lost (false). */
  tracking?: (active: boolean) => void;
}

export class CardInvalidations {
  private readonly shape = cardKeyShape();
  private subscriber: Redis | undefined;
  private subscriberId: number | undefined;
  /** Bumped when the subscriber connection changes, so a stale subscribe() is ignored. */
  private subscriberEpoch = 0;
  /** Bumped on every connection change, so a stale enable() does not report success. */
  private epoch = 0;
  private active = false;
  private closed = false;
  private lastWarnMs = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly memory: MemoryCardCache,
    private readonly logger: Logger,
    private readonly events: CardInvalidationsEvents = {},
  ) {}

  /** Starts tracking in the background; false when this client cannot track (a Cluster). */
  start(): boolean {
    if (this.redis instanceof Cluster) return false;
    const main = this.redis;
    const subscriber = main.duplicate({
      protocol: 2, // invalidations come as pub/sub messages; ioredis drops RESP3 "invalidate" pushes
      autoResubscribe: false, // subscribe() runs CLIENT ID first, on every connection
      lazyConnect: false,
      connectionName: `feedmesh-render-invalidations-${process.pid}`,
    });
    this.subscriber = subscriber;
    subscriber.on('error', () => {}); // reconnects by itself; failures are logged by enable()
    subscriber.on('messageBuffer', (channel: Buffer, message: unknown) => {
      if (channel.toString() === CHANNEL) this.onMessage(message);
    });
    subscriber.on('ready', () => {
      this.subscriberChanged();
      void this.subscribe(subscriber);
    });
    subscriber.on('close', () => this.subscriberChanged());
    main.on('ready', () => {
      this.lost();
      void this.enable();
    });
    main.on('close', () => this.lost());
    return true;
  }

  /** True while every card change reaches this process. */
  get tracking(): boolean {
    return this.active;
  }

  close(): void {
    this.closed = true;
    this.lost();
    this.subscriber?.disconnect();
  }

  private subscriberChanged(): void {
    this.subscriberEpoch++;
    this.subscriberId = undefined;
    this.lost();
  }

  private async subscribe(subscriber: Redis): Promise<void> {
    const epoch = this.subscriberEpoch;
    try {
      const id = Number(await subscriber.client('ID'));
      await subscriber.subscribe(CHANNEL);
      if (epoch !== this.subscriberEpoch) return;
      this.subscriberId = id;
      await this.enable();
    } catch (error) {
      this.warn(error, 'card invalidation subscriber failed; memory cards expire by TTL only');
    }
  }

  private async enable(): Promise<void> {
    const main = this.redis as Redis;
    const id = this.subscriberId;
    if (this.closed || id === undefined || main.status !== 'ready') return;
    const epoch = this.epoch;
    try {
      await main.client('TRACKING', 'OFF');
      await main.client('TRACKING', 'ON', 'REDIRECT', String(id), 'BCAST', 'PREFIX', this.shape.head, 'NOLOOP');
    } catch (error) {
      this.warn(error, 'CLIENT TRACKING failed; memory cards expire by TTL only');
      return;
    }
    if (epoch !== this.epoch || this.subscriberId !== id) return;
    // Changes made while tracking was off were not reported: start over.
    this.memory.clear();
    this.active = true;
    this.events.tracking?.(true);
  }

  private lost(): void {
    this.epoch++;
    if (!this.active) return;
    this.active = false;
    this.events.tracking?.(false);
  }

  private onMessage(message: unknown): void {
    if (!Array.isArray(message)) {
      // A nil key list: FLUSHDB / FLUSHALL.
      this.memory.clear();
      this.events.invalidated?.(null);
      return;
    }
    const { head, tail } = this.shape;
    const ids: string[] = [];
    for (const raw of message as unknown[]) {
      const key = String(raw);
      if (key.startsWith(head) && key.endsWith(tail)) ids.push(key.slice(head.length, key.length - tail.length));
    }
    this.memory.invalidate(ids);
    this.events.invalidated?.(ids.length);
  }

  /** At most one warning per 10 s. */
  private warn(error: unknown, message: string): void {
    if (this.closed) return;
    const now = Date.now();
    if (now - this.lastWarnMs < 10_000) return;
    this.lastWarnMs = now;
    this.logger.warn({ err: error }, message);
  }
}
