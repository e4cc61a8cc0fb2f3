import { setTimeout as sleep } from 'node:timers/promises';
import type { RedisClient, Repositories, RolledUp } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { backoffDelayMs } from '../backoff.js';
import { writeCounterChanges } from '../read-model/counter-writes.js';
import type { ReadModelWriteFailures } from '../read-model/write-failures.js';

/**
 * Where the rollup's events come from, and the one seam to change when they outgrow one Postgres.
 * Today: the queue table beside engagement_events (`postgresRollupLog`), written in the request's
 * own statement, so an event cannot be stored and not queued, and rolled up by a statement that
 * deletes what it applied, so it cannot be applied twice. A partitioned log (NATS JetStream,
 * Kafka, Redis Streams: partition by item or user id) is one adapter of this interface: the
 * request appends (after its insert commits, or through the outbox), and `rollUp` consumes a
 * batch of one partition and applies it in one Postgres transaction together with that
 * partition's consumed offset (a row per partition), acknowledging after the commit — exactly
 * once again, by the offset instead of the delete.
 */
export interface RollupLog {
  /** Applies up to `limit` events to the counters, atomically; what changed, for Redis. */
  rollUp(limit: number): Promise<RolledUp>;
  /** About how many events wait. */
  pending(): Promise<number>;
}

/** The Postgres queue table (libs/storage's EngagementRepository). */
export function postgresRollupLog(engagement: Repositories['engagement']): RollupLog {
  return { rollUp: (limit) => engagement.rollUpQueued(limit), pending: () => engagement.pendingRollup() };
}

export interface EngagementRollupOptions {
  log: RollupLog;
  storage: Pick<Repositories, 'timelines'>;
  redis: RedisClient;
  logger: Logger;
  /** Counts (and now and then logs) a lost read-model write, as on the request path (`engagement_rollup`). */
  readModelFailures: Pick<ReadModelWriteFailures, 'record'>;
  /** Queued events per rollup (ENGAGEMENT_ROLLUP_BATCH). */
  batchSize: number;
  /** Pause when the queue is empty (ENGAGEMENT_ROLLUP_IDLE_MS). */
  idleMs: number;
  registry?: Registry;
}

export interface EngagementRollup {
  /** Stops after the rollup in flight (its transaction commits or rolls back as a whole). */
  stop(): Promise<void>;
}

/** Backoff while Postgres fails the rollup: 100 ms doubling to 5 s, with full jitter. */
const FAILURE_BACKOFF = { baseMs: 100, capMs: 5_000 };

function rollupMetrics(registry: Registry | undefined) {
  const registers = registry ? [registry] : [];
  return {
    rolled: new Counter({ name: 'ingest_engagement_rolled_up_total', help: 'Engagement events rolled up into the counters (ENGAGEMENT_ROLLUP=async)', registers }),
    lag: new Histogram({
      name: 'ingest_engagement_rollup_lag_seconds',
      help: 'Per rollup: how long its oldest event waited in the queue, from the request that stored it to the commit of its counters',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
    pending: new Gauge({ name: 'ingest_engagement_rollup_pending_events', help: 'Events queued for the rollup (an upper bound while a rollup is open)', registers }),
  };
}

/**
 * The rollup runner (ENGAGEMENT_ROLLUP=async): claims queued events, moves the counters in
 * Postgres (one transaction per rollup: exactly once per event, whatever crashes when), then
 * writes the changed counters to Redis — the trending zsets and the read model — as the request
 * did in sync mode (best effort: the values written are absolute, so a lost write heals with the
 * key's next rollup or a read-through on a miss). Several runners (ingest instances) share the
 * queue: each claim skips rows another holds.
 */
export function startEngagementRollup(options: EngagementRollupOptions): EngagementRollup {
  const { logger } = options;
  const metrics = rollupMetrics(options.registry);
  let stopping = false;
  const wake = new AbortController();

  const rollUpOnce = async (): Promise<number> => {
    const rolled = await options.log.rollUp(options.batchSize);
    if (rolled.rolled === 0) return 0;
    metrics.rolled.inc(rolled.rolled);
    if (rolled.oldestQueuedMs !== null) metrics.lag.observe(Math.max(0, Date.now() - rolled.oldestQueuedMs) / 1000);
    await writeCounterChanges(options, rolled);
    return rolled.rolled;
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      let rolled: number;
      try {
        rolled = await rollUpOnce();
        failures = 0;
        if (rolled < options.batchSize) metrics.pending.set(await options.log.pending());
      } catch (error) {
        failures++;
        if (failures === 1) logger.warn({ err: error }, 'engagement rollup failed; retrying with backoff (the queued events stay queued)');
        await sleep(backoffDelayMs(failures - 1, FAILURE_BACKOFF), undefined, { signal: wake.signal }).catch(() => undefined);
        continue;
      }
      // A full rollup: more is waiting, go on at once; otherwise wait for more to arrive.
      if (rolled < options.batchSize) await sleep(options.idleMs, undefined, { signal: wake.signal }).catch(() => undefined);
    }
  })();

  return {
    async stop() {
      stopping = true;
      wake.abort();
      await loop;
    },
  };
}
