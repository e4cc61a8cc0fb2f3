import { EngagementType } from '@feedmesh/contracts';
import { writeSeenItems, type RedisClient, type Repositories, type SeenItemsSettings, type SeenView } from '@feedmesh/storage';
import { withSpan, type Logger } from '@feedmesh/telemetry';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { writeCounterChanges } from '../read-model/counter-writes.js';
import type { ReadModelWriteFailures } from '../read-model/write-failures.js';
import type { EngagementRecord, RecordRejection } from './engagement-record.js';

export interface EngagementOutcome {
  accepted: number;
  rejected: number;
  duplicates: number;
  errors: RecordRejection[];
}

export interface RecordEngagementDeps {
  storage: Pick<Repositories, 'engagement' | 'timelines' | 'viewerPreferences'>;
  redis: RedisClient;
  logger: Logger;
  readModelFailures: ReadModelWriteFailures;
  /** How long a HIDE lowers its item for the hiding viewer, from the event's time (SHOW_LESS_PERIOD_HOURS). */
  showLessPeriodMs: number;
  /** The viewers' seen sets (SEEN_ITEMS_MAX, SEEN_TTL_HOURS). */
  seenItems: SeenItemsSettings;
  /** ENGAGEMENT_ROLLUP: the counters in the request's statement (sync, the default) or in the rollup runner (async). */
  rollup?: 'sync' | 'async';
  now?: () => number;
}


/** The records of the batch that are stored now (new or duplicates): not rejected by the store. */
function storedRecords(records: readonly EngagementRecord[], rejections: readonly RecordRejection[]): EngagementRecord[] {
  if (rejections.length === 0) return [...records];
  const rejected = new Set(rejections.map((r) => r.index));
  return records.filter((r) => !rejected.has(r.index));
}

/** VIEWs (impressions) of the stored records, for the viewers' seen sets. */
export function seenViews(records: readonly EngagementRecord[]): SeenView[] {
  return records.filter((r) => r.type === EngagementType.VIEW).map((r) => ({ userId: r.userId, itemId: r.itemId, occurredAtMs: r.occurredAtMs }));
}

/**
 * The per-viewer "show less" marks of the stored HIDEs: one per (viewer, item), the latest HIDE's
 * end (event time + period). The request id names the event, so a repeated batch (duplicates:
 * the same events) renews nothing; it re-writes the same row and hash field, which also repairs a
 * hash write an earlier attempt lost.
 */
export function hideMarks(records: readonly EngagementRecord[], periodMs: number): Array<{ userId: string; itemId: string; untilMs: number; requestId: string }> {
  const latest = new Map<string, EngagementRecord>();
  for (const r of records) {
    if (r.type !== EngagementType.HIDE) continue;
    const key = `${r.userId}\u0000${r.itemId}`;
    const before = latest.get(key);
    if (before === undefined || before.occurredAtMs < r.occurredAtMs) latest.set(key, r);
  }
  return [...latest.values()].map((r) => ({ userId: r.userId, itemId: r.itemId, untilMs: r.occurredAtMs + periodMs, requestId: `hide:${r.occurredAtMs}` }));
}

/** Writes the HIDE marks through the ShowLess path (rows in one statement, then the hash fields); 1 when that failed (counted), else 0. */
async function writeHideMarks(deps: RecordEngagementDeps, marks: ReturnType<typeof hideMarks>): Promise<number> {
  try {
    await deps.storage.viewerPreferences.showLessMany(marks.map((mark) => ({ userId: mark.userId, scope: 'item', targetId: mark.itemId, untilMs: mark.untilMs, requestId: mark.requestId })));
    return 0;
  } catch (error) {
    deps.readModelFailures.record('hide_show_less', error);
    return 1;
  }
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
 * the older value. With ENGAGEMENT_ROLLUP=async the counters and these writes happen off the
 * request path, in the rollup runner.
 *
 * Per viewer, also after the commit: a VIEW marks its item seen (the viewer's seen zset, one
 * pipeline per batch; a new session ranks unseen items first), and a HIDE marks its item "show
 * less" for that viewer only, for SHOW_LESS_PERIOD_HOURS from the event (ShowLess' row + hash
 * path). Both are best effort like the rollup: a failure is counted in
 * ingest_read_model_write_failures_total{write="seen_items"|"hide_show_less"} and logged; a
 * retried batch (its events are duplicates then) writes both again, the same values.
 */
export async function recordEngagement(deps: RecordEngagementDeps, records: EngagementRecord[], validationRejections: RecordRejection[]): Promise<EngagementOutcome> {
  // Async: the events only, queued for the rollup runner (workers/engagement-rollup.ts), which
  // then writes the counters' changes; here there are none, and nothing is sent.
  const stored = deps.rollup === 'async' ? await deps.storage.engagement.storeEvents(records) : await deps.storage.engagement.store(records);
  const kept = storedRecords(records, stored.rejections);
  const views = seenViews(kept);
  const hides = hideMarks(kept, deps.showLessPeriodMs);
  const nowMs = (deps.now ?? Date.now)();
  await Promise.all([
    writeCounterChanges(deps, stored),
    views.length === 0
      ? undefined
      : withSpan('seen items', () => ({ 'feedmesh.views': views.length }), (span) =>
          context.with(ROOT_CONTEXT, async () => span.setAttribute('feedmesh.viewers', await writeSeenItems(deps.redis, views, deps.seenItems, nowMs))),
        ).catch((error: unknown) => deps.readModelFailures.record('seen_items', error)),
    hides.length === 0
      ? undefined
      : withSpan('hide show-less marks', () => ({ 'feedmesh.marks': hides.length }), (span) =>
          writeHideMarks(deps, hides).then((failed) => span.setAttribute('feedmesh.failed', failed)),
        ),
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
