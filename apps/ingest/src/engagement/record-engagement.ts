import type { RedisClient } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import type pg from 'pg';
import { bumpTrending } from './bump-trending.js';
import type { EngagementRecord, RecordRejection } from './engagement-record.js';
import { storeEngagement } from './store-engagement.js';

export interface EngagementOutcome {
  accepted: number;
  rejected: number;
  duplicates: number;
  errors: RecordRejection[];
}

/**
 * Stores the records that passed validation and merges the rejections found before (shape) and
 * during (unknown ids) the store, in record order. Trending is bumped best effort afterwards.
 */
export async function recordEngagement(
  deps: { pool: pg.Pool; redis: RedisClient; logger: Logger },
  records: EngagementRecord[],
  validationRejections: RecordRejection[],
): Promise<EngagementOutcome> {
  const stored = await storeEngagement(deps.pool, records);
  if (!(await bumpTrending(deps.redis, stored.stats))) deps.logger.debug('trending bump skipped: Redis unavailable');
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
