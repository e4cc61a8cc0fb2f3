import { describe, expect, it } from 'vitest';
import { checkDwellMs, checkOccurredAt, MAX_DWELL_MS, MAX_FUTURE_MS, MAX_PAST_MS } from './engagement-record.js';

const now = Date.parse('2026-06-01T12:00:00Z');

describe('checkOccurredAt', () => {
  it('accepts times from 7 days ago to 5 minutes ahead of the server clock, both edges included', () => {
    for (const at of [now, now - MAX_PAST_MS, now + MAX_FUTURE_MS, now - 1]) expect(checkOccurredAt(at, now)).toBeUndefined();
  });

  it('refuses times outside that window, and no time at all', () => {
    expect(checkOccurredAt(now + MAX_FUTURE_MS + 1, now)).toBe('is more than 5 minutes in the future');
    expect(checkOccurredAt(now - MAX_PAST_MS - 1, now)).toBe('is more than 7 days in the past');
    expect(checkOccurredAt(Number.NaN, now)).toBe('is not a valid time');
    expect(checkOccurredAt(Number.POSITIVE_INFINITY, now)).toBe('is not a valid time');
  });
});

describe('checkDwellMs', () => {
  it('accepts whole milliseconds from 0 to a day', () => {
    for (const dwell of [0, 1, MAX_DWELL_MS]) expect(checkDwellMs(dwell)).toBeUndefined();
  });

  it('refuses negative, fractional and longer dwell times', () => {
    for (const dwell of [-1, 1.5, MAX_DWELL_MS + 1, Number.NaN]) expect(checkDwellMs(dwell), String(dwell)).toBe(`must be an integer in 0..${MAX_DWELL_MS}`);
  });
});
