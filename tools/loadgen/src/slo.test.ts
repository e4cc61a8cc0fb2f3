import { describe, expect, it } from 'vitest';
import { describeMissed, evaluateSlo, EXIT_OK, EXIT_SLO_MISSED, exitCodeFor } from './slo.js';

const healthy = { ok: 1000, p50Ms: 2, p99Ms: 9, errorRate: 0.001 };

describe('SLO gates', () => {
  it('passes (exit 0) when every gate holds, limits included', () => {
    const result = evaluateSlo(healthy, { maxP99Ms: 9, maxP50Ms: 2, maxErrorRate: 0.001 });
    expect(result.passed).toBe(true);
    expect(exitCodeFor(result)).toBe(EXIT_OK);
    expect(describeMissed(result)).toEqual([]);
  });

  it('exits 2 and names the gate when p99 is over', () => {
    const result = evaluateSlo(healthy, { maxP99Ms: 8.5, maxErrorRate: 0.01 });
    expect(exitCodeFor(result)).toBe(EXIT_SLO_MISSED);
    expect(describeMissed(result)).toEqual(['SLO missed: p99 9 ms > 8.5 ms']);
  });

  it('exits 2 on p50 and error rate', () => {
    const result = evaluateSlo({ ...healthy, errorRate: 0.05 }, { maxP50Ms: 1, maxErrorRate: 0.01 });
    expect(exitCodeFor(result)).toBe(EXIT_SLO_MISSED);
    expect(describeMissed(result)).toEqual(['SLO missed: p50 2 ms > 1 ms', 'SLO missed: error rate 5.00% > 1.00%']);
  });

  it('fails a latency gate when no call succeeded (empty percentiles must not pass)', () => {
    const result = evaluateSlo({ ok: 0, p50Ms: 0, p99Ms: 0, errorRate: 0 }, { maxP99Ms: 10 });
    expect(exitCodeFor(result)).toBe(EXIT_SLO_MISSED);
    expect(describeMissed(result)).toEqual(['SLO missed: no call succeeded']);
  });

  it('has no checks and passes when no thresholds are given', () => {
    expect(evaluateSlo(healthy, {})).toEqual({ passed: true, checks: [] });
  });
});
