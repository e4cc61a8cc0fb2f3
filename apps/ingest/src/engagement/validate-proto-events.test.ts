import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { EngagementEventSchema, type EngagementEvent, type EngagementType } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { validateProtoEvents } from './validate-proto-events.js';

const now = Date.parse('2026-06-01T12:00:00Z');
const ITEM = '0f8fad5b-d9cb-469f-a165-70867728950e';
const event = (fields: MessageInitShape<typeof EngagementEventSchema> = {}) =>
  create(EngagementEventSchema, { userId: 'u1', itemId: ITEM, type: 2, occurredAt: timestampFromMs(now - 60_000), ...fields });
const rejectionOf = (input: EngagementEvent) => {
  const { records, rejections } = validateProtoEvents([input], now);
  expect(records).toEqual([]);
  return rejections[0];
};

describe('validateProtoEvents', () => {
  it('turns valid events into engagement records: item id lowercased, a dwell of 0 stored as none', () => {
    const { records, rejections } = validateProtoEvents([event(), event({ itemId: ITEM.toUpperCase(), type: 1, dwellMs: 900 })], now);
    expect(rejections).toEqual([]);
    expect(records).toEqual([
      { index: 0, userId: 'u1', itemId: ITEM, type: 2, occurredAtMs: now - 60_000, dwellMs: null },
      { index: 1, userId: 'u1', itemId: ITEM, type: 1, occurredAtMs: now - 60_000, dwellMs: 900 },
    ]);
  });

  it('refuses each bad value with its field', () => {
    expect(rejectionOf(event({ userId: '' }))).toEqual({ index: 0, field: 'user_id', reason: 'is required' });
    expect(rejectionOf(event({ userId: 'u\u0000' }))).toMatchObject({ field: 'user_id', reason: 'must not contain U+0000 (at 1)' });
    expect(rejectionOf(event({ itemId: 'nope' }))).toMatchObject({ field: 'item_id', reason: 'must be a UUID' });
    for (const type of [0, 6] as EngagementType[]) expect(rejectionOf(event({ type })), String(type)).toMatchObject({ field: 'type', reason: 'must be VIEW, LIKE, SHARE, HIDE or CLICK' });
    expect(rejectionOf(event({ occurredAt: undefined }))).toMatchObject({ field: 'occurred_at', reason: 'is required' });
    expect(rejectionOf(event({ occurredAt: timestampFromMs(now - 8 * 86_400_000) }))).toMatchObject({ field: 'occurred_at', reason: 'is more than 7 days in the past' });
    expect(rejectionOf(event({ dwellMs: 86_400_001 }))).toMatchObject({ field: 'dwell_ms' });
  });

  it('refuses fields this contract does not know, by number', () => {
    const withUnknown = Object.assign(event(), { $unknown: [{ no: 42, wireType: 0, data: new Uint8Array([1]) }] });
    expect(rejectionOf(withUnknown)).toEqual({ index: 0, field: '#42', reason: 'unknown field number 42 for feedmesh.ingest.v1.EngagementEvent' });
  });

  it('rejects bad events alone, by index', () => {
    const { records, rejections } = validateProtoEvents([event({ type: 9 as EngagementType }), event(), event({ itemId: '' })], now);
    expect(records.map((r) => r.index)).toEqual([1]);
    expect(rejections.map((r) => [r.index, r.field])).toEqual([
      [0, 'type'],
      [2, 'item_id'],
    ]);
  });
});
