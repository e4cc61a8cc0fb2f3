import { describe, expect, it } from 'vitest';
import { describeCalls, endedBefore, inFlightAt, outcomeCounts, percentile, recoveryAfter, startedBetween } from './call-analysis.js';
import type { CallRecord } from './call-record.js';

const call = (startMs: number, code = 'OK', degraded = false, endMs = startMs + 10): CallRecord => ({ intendedMs: startMs, startMs, endMs, code, degraded, detail: code === 'OK' ? '' : 'why' });

describe('recoveryAfter', () => {
  it('is the start of the first healthy call after the last unhealthy one', () => {
    const calls = [call(0, 'Unavailable'), call(100), call(200, 'OK', true), call(300), call(400), call(500)];
    expect(recoveryAfter(calls, 50)).toMatchObject({ recoveryMs: 250, healthyForMs: 200, unhealthyAfter: 1 });
    expect(recoveryAfter(calls, 50).lastUnhealthy?.startMs).toBe(200);
  });

  it('is 0 when every call from the start is healthy, and ignores earlier calls', () => {
    expect(recoveryAfter([call(0, 'Internal'), call(100), call(200)], 100)).toMatchObject({ recoveryMs: 0, healthyForMs: 100, unhealthyAfter: 0 });
  });

  it('is Infinity when the last call is unhealthy or there are none', () => {
    expect(recoveryAfter([call(100), call(200, 'Unavailable')], 0).recoveryMs).toBe(Infinity);
    expect(recoveryAfter([], 0).recoveryMs).toBe(Infinity);
  });

  it('orders by start time, not by the order calls ended', () => {
    expect(recoveryAfter([call(300), call(100, 'Unavailable'), call(200)], 0)).toMatchObject({ recoveryMs: 200, healthyForMs: 100 });
  });
});

describe('call windows', () => {
  it('counts outcomes with degraded pages apart', () => {
    expect(outcomeCounts([call(0), call(1, 'OK', true), call(2, 'Unavailable'), call(3)])).toEqual({ OK: 2, 'OK degraded': 1, Unavailable: 1 });
  });

  it('selects calls by start, calls in flight at an instant, and calls over by then', () => {
    const calls = [call(0, 'OK', false, 50), call(40, 'OK', false, 45), call(60, 'OK', false, 200)];
    expect(startedBetween(calls, 40, 60).map((c) => c.startMs)).toEqual([40]);
    expect(inFlightAt(calls, 48).map((c) => c.startMs)).toEqual([0]);
    expect(inFlightAt(calls, 60).map((c) => c.startMs)).toEqual([]);
    expect(endedBefore(calls, 48).map((c) => c.startMs)).toEqual([40]);
  });

  it('describes the bad calls briefly', () => {
    expect(describeCalls([call(0), call(1, 'Internal')])).toBe('{"OK":1,"Internal":1}; e.g. Internal: why');
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile([5], 99)).toBe(5);
    expect(percentile([], 50)).toBeNaN();
  });
});
