import { timestampMs } from '@bufbuild/protobuf/wkt';
import type { EngagementEvent } from '@feedmesh/contracts';
import { checkItemId, checkUserId } from '../request/field-checks.js';
import { checkDwellMs, checkOccurredAt, type EngagementRecord, type RecordRejection } from './engagement-record.js';

/**
 * Validates decoded protobuf events one by one. Types are already exact here (the binary and
 * protobuf JSON decoders never turn "123" into a number), so this checks values: ids (the kit's
 * text rule included), a known type, the time window, the dwell range, and fields this contract
 * does not know. The kit's message checks skip `events` (validatedPerRecord), so everything they
 * would refuse is refused here, record by record: bad records are rejected alone, with index and
 * field, and the valid ones are stored.
 */
export function validateProtoEvents(events: EngagementEvent[], nowMs: number): { records: EngagementRecord[]; rejections: RecordRejection[] } {
  const records: EngagementRecord[] = [];
  const rejections: RecordRejection[] = [];
  events.forEach((event, index) => {
    const reject = (field: string, reason: string) => rejections.push({ index, field, reason });
    const unknown = (event as { $unknown?: Array<{ no: number }> }).$unknown;
    if (unknown?.length) return reject(`#${unknown[0]!.no}`, `unknown field number ${unknown[0]!.no} for ${event.$typeName}`);
    const userProblem = checkUserId(event.userId);
    if (userProblem) return reject('user_id', userProblem);
    const itemProblem = checkItemId(event.itemId);
    if (itemProblem) return reject('item_id', itemProblem);
    if (!(event.type >= 1 && event.type <= 5)) return reject('type', 'must be VIEW, LIKE, SHARE, HIDE or CLICK');
    if (!event.occurredAt) return reject('occurred_at', 'is required');
    const occurredAtMs = timestampMs(event.occurredAt);
    const timeProblem = checkOccurredAt(occurredAtMs, nowMs);
    if (timeProblem) return reject('occurred_at', timeProblem);
    const dwellProblem = checkDwellMs(event.dwellMs);
    if (dwellProblem) return reject('dwell_ms', dwellProblem);
    records.push({ index, userId: event.userId, itemId: event.itemId.toLowerCase(), type: event.type, occurredAtMs, dwellMs: event.dwellMs || null });
  });
  return { records, rejections };
}
