import { describe, expect, it } from 'vitest';
import { validateJsonEvents } from './validate-json-events.js';

const now = Date.parse('2026-06-01T12:00:00Z');
const ITEM = '0f8fad5b-d9cb-469f-a165-70867728950e';
const event = (fields: Record<string, unknown> = {}) => ({ user_id: 'u1', item_id: ITEM, type: 'like', occurred_at: '2026-06-01T11:59:00Z', ...fields });
const rejectionOf = (raw: unknown) => {
  const { records, rejections } = validateJsonEvents([raw], now);
  expect(records).toEqual([]);
  return rejections[0];
};

describe('validateJsonEvents', () => {
  it('turns valid records into engagement records, item ids lowercased, dwell optional', () => {
    const { records, rejections } = validateJsonEvents(
      [event(), event({ type: 'ENGAGEMENT_TYPE_VIEW', item_id: ITEM.toUpperCase(), dwell_ms: 1500, occurred_at: '2026-06-01T13:58:00.250+02:00' })],
      now,
    );
    expect(rejections).toEqual([]);
    expect(records).toEqual([
      { index: 0, userId: 'u1', itemId: ITEM, type: 2, occurredAtMs: Date.parse('2026-06-01T11:59:00Z'), dwellMs: null },
      { index: 1, userId: 'u1', itemId: ITEM, type: 1, occurredAtMs: Date.parse('2026-06-01T11:58:00.250Z'), dwellMs: 1500 },
    ]);
  });

  it('knows every type by its proto name and its short name', () => {
    const names = ['view', 'like', 'share', 'hide', 'click'];
    const { records } = validateJsonEvents([...names, ...names.map((n) => `ENGAGEMENT_TYPE_${n.toUpperCase()}`)].map((type) => event({ type })), now);
    expect(records.map((r) => r.type)).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
  });

  it('coerces nothing: JSON types must be exact', () => {
    expect(rejectionOf(event({ user_id: 7 }))).toEqual({ index: 0, field: 'user_id', reason: 'must be a string, got number' });
    expect(rejectionOf(event({ type: 2 }))).toEqual({ index: 0, field: 'type', reason: 'must be a string, got number' });
    expect(rejectionOf(event({ occurred_at: 1_780_000_000_000 }))).toMatchObject({ field: 'occurred_at', reason: 'must be a string, got number' });
    expect(rejectionOf(event({ dwell_ms: '100' }))).toEqual({ index: 0, field: 'dwell_ms', reason: 'must be a number, got string' });
    expect(rejectionOf(event({ item_id: null }))).toMatchObject({ field: 'item_id', reason: 'must be a string, got null' });
    expect(rejectionOf([event()])).toEqual({ index: 0, field: '', reason: 'must be an object, got array' });
    expect(rejectionOf('x')).toEqual({ index: 0, field: '', reason: 'must be an object, got string' });
  });

  it('refuses unknown keys, echoing a key only when it is short printable text', () => {
    expect(rejectionOf(event({ dwel_ms: 5 }))).toEqual({ index: 0, field: 'dwel_ms', reason: 'is not a field of an engagement event' });
    expect(rejectionOf(event({ ['k'.repeat(65)]: 1 }))).toEqual({ index: 0, field: '', reason: 'holds a key that is not a field of an engagement event' });
    expect(rejectionOf(event({ 'a\u0000': 1 }))).toMatchObject({ field: '', reason: 'holds a key that is not a field of an engagement event' });
  });

  it('checks values: ids, type names, RFC 3339 times with an offset, the time window, dwell range', () => {
    expect(rejectionOf(event({ user_id: 'a{b}' }))).toMatchObject({ field: 'user_id', reason: 'must not contain braces, "|" or whitespace' });
    expect(rejectionOf(event({ item_id: 'i1' }))).toMatchObject({ field: 'item_id', reason: 'must be a UUID' });
    expect(rejectionOf(event({ type: 'love' }))).toMatchObject({ field: 'type', reason: 'unknown engagement type "love"' });
    expect(rejectionOf(event({ type: 'constructor' }))).toMatchObject({ field: 'type', reason: 'unknown engagement type "constructor"' });
    expect(rejectionOf(event({ type: 'x'.repeat(65) }))).toMatchObject({ field: 'type', reason: 'unknown engagement type' });
    for (const time of ['2026-06-01', '2026-06-01T11:59:00', '2026-06-01 11:59:00Z']) {
      expect(rejectionOf(event({ occurred_at: time })), time).toMatchObject({ field: 'occurred_at', reason: expect.stringContaining('RFC 3339') });
    }
    expect(rejectionOf(event({ occurred_at: '2026-06-01T12:06:00Z' }))).toMatchObject({ field: 'occurred_at', reason: 'is more than 5 minutes in the future' });
    expect(rejectionOf(event({ dwell_ms: -1 }))).toMatchObject({ field: 'dwell_ms', reason: expect.stringContaining('must be an integer') });
  });

  it('rejects bad records alone, by index, and keeps the good ones', () => {
    const { records, rejections } = validateJsonEvents([event(), event({ type: 'love' }), event({ user_id: 'u2' }), null], now);
    expect(records.map((r) => [r.index, r.userId])).toEqual([
      [0, 'u1'],
      [2, 'u2'],
    ]);
    expect(rejections.map((r) => [r.index, r.field])).toEqual([
      [1, 'type'],
      [3, ''],
    ]);
  });
});
