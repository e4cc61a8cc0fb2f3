import { writeEngagementRollup, type RedisClient, type Repositories, type StoredBatch } from '@feedmesh/storage';
import { withSpan, type Logger } from '@feedmesh/telemetry';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ReadModelWriteFailures } from './write-failures.js';

/** The counters a rollup changed (post-update values): the items' stats and the users' affinities. */
export type CounterChanges = Pick<StoredBatch, 'stats' | 'authorAffinities' | 'kindAffinities'>;

export interface CounterWriteDeps {
  storage: { timelines: Pick<Repositories['timelines'], 'bumpTrending'> };
  redis: RedisClient;
  logger: Logger;
  readModelFailures: Pick<ReadModelWriteFailures, 'record'>;
}

/**
 * Puts a rollup's changed counters into Redis after their Postgres commit, from wherever the
 * rollup ran (the request's statement in sync mode, the rollup runner in async mode): the
 * trending zsets are rescored and the read model takes the changed items' records and users'
 * affinities. Best effort, never failing the caller: the values are absolute, so a lost write
 * heals with the key's next rollup or a read-through on a miss; it is counted in
 * ingest_read_model_write_failures_total{write="engagement_rollup"}. Nothing changed, nothing sent.
 */
export async function writeCounterChanges(deps: CounterWriteDeps, changes: CounterChanges): Promise<void> {
  if (changes.stats.length === 0 && changes.authorAffinities.length === 0 && changes.kindAffinities.length === 0) return;
  await Promise.all([
    deps.storage.timelines.bumpTrending(changes.stats).then((bumped) => {
      if (!bumped) deps.logger.debug('trending bump skipped: Redis unavailable');
    }),
    // One span for the whole write; inside it no trace context, so the Redis instrumentation
    // (requireParentSpan) makes no span per command: a rollup writes thousands of user hashes,
    // and a span each cost more CPU than the rest of the call.
    withSpan('read model rollup', () => ({ 'feedmesh.items': changes.stats.length, 'feedmesh.affinities': changes.authorAffinities.length + changes.kindAffinities.length }), () =>
      context.with(ROOT_CONTEXT, () => writeEngagementRollup(deps.redis, changes.stats, changes.authorAffinities, changes.kindAffinities)),
    ).catch((error: unknown) => deps.readModelFailures.record('engagement_rollup', error)),
  ]);
}
