import { writeEngagementRollup, type RedisClient, type Repositories } from '@feedmesh/storage';
import { withSpan, type Logger } from '@feedmesh/telemetry';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { ReadModelWriteFailures } from '../read-model/write-failures.js';
import type { EngagementRecord, RecordRejection } from './engagement-record.js';

export interface EngagementOutcome {
  accepted: number;
  rejected: number;
  duplicates: number;
  errors: RecordRejection[];
}

export interface RecordEngagementDeps {
  storage: Pick<Repositories, 'engagement' | 'timelines'>;
  redis: RedisClient;
  logger: Logger;
  readModelFailures: ReadModelWriteFailures;
}

/**
 * Stores the records that passed validation and merges the rejections found before (shape) and
 * during (unknown ids) the store, in record order. Then, best effort, trending is bumped and the
 * read model takes the rollup's results: the changed items' records and the users' changed
 * affinities.
 *
 * Those Redis writes come after the commit and never fail the call: the events are stored. A
 * lost write heals when the next rollup of the same key (item, or user and author/kind) writes
 * it again, or when the key is rebuilt from Postgres on a miss; until then the read model serves
 * the older value. The "async rollups" issue will move these writes (and the rollups) off the
 * request path.
 */
export async function recordEngagement(deps: RecordEngagementDeps, records: EngagementRecord[], validationRejections: RecordRejection[]): Promise<EngagementOutcome> {
  const stored = await deps.storage.engagement.store(records);
  await Promise.all([
    deps.storage.timelines.bumpTrending(stored.stats).then((bumped) => {
      if (!bumped) deps.logger.debug('trending bump skipped: Redis unavailable');
    }),
    // One span for the whole write; inside it no trace context, so the Redis instrumentation
    // (requireParentSpan) makes no span per command: a batch writes thousands of user hashes,
    // and a span each cost more CPU than the rest of the call.
    withSpan('read model rollup', () => ({ 'feedmesh.items': stored.stats.length, 'feedmesh.affinities': stored.authorAffinities.length + stored.kindAffinities.length }), () =>
      context.with(ROOT_CONTEXT, () => writeEngagementRollup(deps.redis, stored.stats, stored.authorAffinities, stored.kindAffinities)),
    ).catch((error: unknown) => deps.readModelFailures.record('engagement_rollup', error)),
  ]);
  const errors = [...validationRejections, ...stored.rejections].sort((a, b) => a.index - b.index);
  return { accepted: stored.accepted, rejected: errors.length, duplicates: stored.duplicates, errors };
}

/** The message of the InvalidArgument returned when no record of a batch was valid. */
export function describeRejections(errors: RecordRejection[]): { field: string; message: string } {
  const first = errors[0]!;
  const field = `events[${first.index}]${first.field ? `.${first.field}` : ''}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more rejected records)` : '';
  return { field, message: `${field}: ${first.reason}${more}` };
}
