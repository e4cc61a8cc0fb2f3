import { describe, expect, it } from 'vitest';
import { DEADLINE_EXCEEDED, OK, UNAVAILABLE } from '../status-codes.js';
import { evaluatePhases, formatPhaseTable, type ChaosCall, type FaultWindow } from './phase-slo.js';

/** `count` calls starting every 10 ms from `fromMs`, each taking `latencyMs`. */
function calls(fromMs: number, count: number, latencyMs: number, extra: Partial<ChaosCall> = {}): ChaosCall[] {
  return Array.from({ length: count }, (_, i) => ({ startMs: fromMs + i * 10, endMs: fromMs + i * 10 + latencyMs, code: OK, degraded: false, ...extra }));
}

const KILL: FaultWindow = { name: 'kill ranking', startMs: 1_000, endMs: 2_000 };
const SLOW: FaultWindow = { name: 'latency', startMs: 3_000, endMs: 4_000 };
const SLO = { outside: { maxP99Ms: 85, maxErrorRate: 0.01, maxDegradedShare: 0.01 }, during: { maxP99Ms: 92, maxErrorRate: 0.1 } };

describe('evaluatePhases', () => {
  it('charges each call to the fault it overlaps and the rest to outside, and passes within the gates', () => {
    const records = [...calls(0, 90, 40), ...calls(1_000, 50, 60, { degraded: true }), ...calls(3_000, 50, 80), ...calls(5_000, 10, 40)];
    const verdict = evaluatePhases(records, [KILL, SLOW], SLO);
    expect(verdict.phases.map((p) => [p.phase, p.kind, p.calls])).toEqual([
      ['outside faults', 'outside', 100],
      ['during kill ranking', 'fault', 50],
      ['during latency', 'fault', 50],
      ['during faults', 'during', 100],
    ]);
    expect(verdict.phases[1]).toMatchObject({ degraded: 50, degradedShare: 1, p99Ms: 60, errors: 0 });
    expect(verdict.passed).toBe(true);
  });

  it('counts a call in flight when the fault began as the fault\'s', () => {
    const straddling: ChaosCall = { startMs: 950, endMs: 1_200, code: OK, degraded: false };
    const verdict = evaluatePhases([straddling, ...calls(0, 10, 10)], [KILL], SLO);
    expect(verdict.phases[0].calls).toBe(10);
    expect(verdict.phases[1]).toMatchObject({ calls: 1, p99Ms: 250, passed: false });
  });

  it('fails outside when its p99 is over the limit, and the table names the miss', () => {
    const records = [...calls(0, 95, 40), ...calls(5_000, 5, 200)];
    const verdict = evaluatePhases(records, [KILL], SLO);
    const outside = verdict.phases[0];
    expect(outside.p99Ms).toBe(200);
    expect(outside.checks.find((c) => c.name === 'p99')).toMatchObject({ passed: false, limit: 85, actual: 200 });
    expect(verdict.passed).toBe(false);
    const table = formatPhaseTable(verdict);
    expect(table).toContain('outside faults: missed: p99 200 ms > 85 ms');
    expect(table).toMatch(/chaos gate: FAIL\n$/);
  });

  it('uses the during gate for fault phases: errors, degraded share', () => {
    const records = [...calls(0, 50, 40), ...calls(1_000, 8, 50), ...calls(1_100, 2, 50, { code: UNAVAILABLE })];
    const verdict = evaluatePhases(records, [KILL], { ...SLO, during: { maxErrorRate: 0.1, maxDegradedShare: 0 } });
    expect(verdict.phases[1]).toMatchObject({ errors: 2, errorRate: 0.2, errorsByCode: { UNAVAILABLE: 2 }, passed: false });
    const degraded = evaluatePhases([...calls(0, 50, 40), ...calls(1_000, 10, 50, { degraded: true })], [KILL], { ...SLO, during: { maxDegradedShare: 0.5 } });
    expect(degraded.phases[1].checks.find((c) => c.name === 'degraded-share')).toMatchObject({ passed: false, actual: 1 });
  });

  it('leaves failed calls out of the percentiles but fails a phase where nothing succeeded', () => {
    const records = [...calls(0, 50, 40), ...calls(1_000, 10, 1_900, { code: DEADLINE_EXCEEDED })];
    const verdict = evaluatePhases(records, [KILL], { outside: SLO.outside, during: { maxP99Ms: 92 } });
    expect(verdict.phases[1]).toMatchObject({ ok: 0, p99Ms: 0, passed: false });
    expect(verdict.phases[1].checks[0]).toMatchObject({ name: 'completed', passed: false });
  });

  it('degraded outside the faults fails the outside gate', () => {
    const records = [...calls(0, 90, 40), ...calls(5_000, 10, 40, { degraded: true })];
    expect(evaluatePhases(records, [KILL], SLO).phases[0].checks.find((c) => c.name === 'degraded-share')).toMatchObject({ passed: false, actual: 0.1 });
  });
});
