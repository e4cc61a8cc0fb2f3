import type { EngagementRecord } from '../engagement/engagement-record.js';

// A spooled engagement batch: its validated records (already checked against the caller's
// identity and the input rules), as compact JSON, one array per record. Version 1:
//   {"v":1,"events":[["<user_id>","<item_id>",<type>,<occurred_at ms>,<dwell_ms or null>], ...]}

type SpooledEvent = [userId: string, itemId: string, type: number, occurredAtMs: number, dwellMs: number | null];

export function encodeSpooledBatch(records: readonly EngagementRecord[]): Buffer {
  const events: SpooledEvent[] = records.map((r) => [r.userId, r.itemId, r.type, r.occurredAtMs, r.dwellMs]);
  return Buffer.from(JSON.stringify({ v: 1, events }), 'utf8');
}

function isSpooledEvent(value: unknown): value is SpooledEvent {
  if (!Array.isArray(value) || value.length !== 5) return false;
  const [userId, itemId, type, occurredAtMs, dwellMs] = value as unknown[];
  return (
    typeof userId === 'string' &&
    typeof itemId === 'string' &&
    Number.isInteger(type) &&
    typeof occurredAtMs === 'number' &&
    Number.isFinite(occurredAtMs) &&
    (dwellMs === null || Number.isInteger(dwellMs))
  );
}

/** The records of a spooled batch, indexed from `firstIndex`; throws on a payload this version did not write. */
export function decodeSpooledBatch(payload: Buffer, firstIndex = 0): EngagementRecord[] {
  const batch = JSON.parse(payload.toString('utf8')) as { v?: unknown; events?: unknown };
  if (batch.v !== 1 || !Array.isArray(batch.events)) throw new Error(`not a version 1 spooled engagement batch`);
  return batch.events.map((event: unknown, i) => {
    if (!isSpooledEvent(event)) throw new Error(`spooled engagement batch: event ${i} is malformed`);
    const [userId, itemId, type, occurredAtMs, dwellMs] = event;
    return { index: firstIndex + i, userId, itemId, type, occurredAtMs, dwellMs };
  });
}
