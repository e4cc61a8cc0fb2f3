import { setTimeout as sleep } from 'node:timers/promises';
import { writeEngagementRollup, type RedisClient, type Repositories } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface EngagementRollupOptions {
  storage: Pick<Repositories, 'engagement' | 'timelines'>;
  redis: RedisClient;
  logger: Logger;
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
const FAILURE_BACKOFF_MIN_MS = 100;
const FAILURE_BACKOFF_MAX_MS = 5_000;

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
  const { storage, logger } = options;
  const metrics = rollupMetrics(options.registry);
  let stopping = false;
  const wake = new AbortController();

  const rollUpOnce = async (): Promise<number> => {
    const rolled = await storage.engagement.rollUpQueued(options.batchSize);
    if (rolled.rolled === 0) return 0;
    metrics.rolled.inc(rolled.rolled);
    if (rolled.oldestQueuedMs !== null) metrics.lag.observe(Math.max(0, Date.now() - rolled.oldestQueuedMs) / 1000);
    await Promise.all([
      storage.timelines.bumpTrending(rolled.stats),
      writeEngagementRollup(options.redis, rolled.stats, rolled.authorAffinities, rolled.kindAffinities).catch((error: unknown) =>
        logger.warn({ err: error }, 'engagement rollup: read model write failed (heals on the next rollup of the key, or on a read-through)'),
      ),
    ]);
    return rolled.rolled;
  };

  const loop = (async () => {
    let failures = 0;
    while (!stopping) {
      let rolled: number;
      try {
        rolled = await rollUpOnce();
        failures = 0;
        if (rolled < options.batchSize) metrics.pending.set(await storage.engagement.pendingRollup());
      } catch (error) {
        failures++;
        const ceiling = Math.min(FAILURE_BACKOFF_MAX_MS, FAILURE_BACKOFF_MIN_MS * 2 ** (failures - 1));
        if (failures === 1) logger.warn({ err: error }, 'engagement rollup failed; retrying with backoff (the queued events stay queued)');
        await sleep(Math.random() * ceiling, undefined, { signal: wake.signal }).catch(() => undefined);
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
