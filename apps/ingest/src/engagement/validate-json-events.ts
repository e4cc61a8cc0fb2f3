import { textProblem } from '@feedmesh/service-kit';
import { checkItemId, checkUserId } from '../request/field-checks.js';
import { checkDwellMs, checkOccurredAt, type EngagementRecord, type RecordRejection } from './engagement-record.js';

/** Engagement types by name: the proto enum names and their short lowercase forms. */
const TYPES: Record<string, number> = {
  ENGAGEMENT_TYPE_VIEW: 1,
  ENGAGEMENT_TYPE_LIKE: 2,
  ENGAGEMENT_TYPE_SHARE: 3,
  ENGAGEMENT_TYPE_HIDE: 4,
  ENGAGEMENT_TYPE_CLICK: 5,
  view: 1,
  like: 2,
  share: 3,
  hide: 4,
  click: 5,
};

/** What may be echoed back from the input: a short key of printable characters. */
const KEY_RULE = { controls: 'none', maxLength: 64 } as const;

const FIELDS = ['user_id', 'item_id', 'type', 'occurred_at', 'dwell_ms'] as const;

// RFC 3339 with an explicit offset: no bare dates, no local times, no epoch numbers.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/**
 * Validates raw JSON records with exact JSON types, without coercion: `"123"` is not a number,
 * `true` is not 1, a type is a known name (not a number), a time is an RFC 3339 string. Unknown
 * keys are rejected too (a misspelt `dwel_ms` would otherwise be silently dropped). Strings go
 * through the kit's text rule (inside checkUserId; ids, types and times must match exact
 * patterns anyway), since JSON.parse lets U+0000 and lone surrogates through. Each bad record
 * is rejected alone with its index, field and reason.
 */
export function validateJsonEvents(events: unknown[], nowMs: number): { records: EngagementRecord[]; rejections: RecordRejection[] } {
  const records: EngagementRecord[] = [];
  const rejections: RecordRejection[] = [];
  events.forEach((raw, index) => {
    const reject = (field: string, reason: string) => rejections.push({ index, field, reason });
    if (jsonType(raw) !== 'object') return reject('', `must be an object, got ${jsonType(raw)}`);
    const event = raw as Record<string, unknown>;
    const unknown = Object.keys(event).find((key) => !(FIELDS as readonly string[]).includes(key));
    // The key is echoed as the field path: only when it is short, printable text.
    if (unknown !== undefined) {
      return textProblem(unknown, KEY_RULE) ? reject('', 'holds a key that is not a field of an engagement event') : reject(unknown, 'is not a field of an engagement event');
    }
    for (const field of ['user_id', 'item_id', 'type', 'occurred_at'] as const) {
      if (jsonType(event[field]) !== 'string') return reject(field, `must be a string, got ${jsonType(event[field])}`);
    }
    const userId = event.user_id as string;
    const userProblem = checkUserId(userId);
    if (userProblem) return reject('user_id', userProblem);
    const itemId = event.item_id as string;
    const itemProblem = checkItemId(itemId);
    if (itemProblem) return reject('item_id', itemProblem);
    const type = Object.hasOwn(TYPES, event.type as string) ? TYPES[event.type as string] : undefined;
    if (type === undefined) return reject('type', `unknown engagement type${textProblem(event.type as string, KEY_RULE) ? '' : ` ${JSON.stringify(event.type)}`}`);
    const occurredAt = event.occurred_at as string;
    if (!RFC3339.test(occurredAt)) return reject('occurred_at', 'must be an RFC 3339 timestamp with an offset, e.g. 2025-01-01T12:00:00Z');
    const occurredAtMs = Date.parse(occurredAt);
    const timeProblem = checkOccurredAt(occurredAtMs, nowMs);
    if (timeProblem) return reject('occurred_at', timeProblem);
    let dwellMs: number | null = null;
    if (event.dwell_ms !== undefined) {
      if (jsonType(event.dwell_ms) !== 'number') return reject('dwell_ms', `must be a number, got ${jsonType(event.dwell_ms)}`);
      const dwellProblem = checkDwellMs(event.dwell_ms as number);
      if (dwellProblem) return reject('dwell_ms', dwellProblem);
      dwellMs = event.dwell_ms as number;
    }
    records.push({ index, userId, itemId: itemId.toLowerCase(), type, occurredAtMs, dwellMs });
  });
  return { records, rejections };
}
