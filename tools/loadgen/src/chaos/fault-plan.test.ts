import { describe, expect, it } from 'vitest';
import { ChaosPlanError, parsePlan, parsePlanText } from './fault-plan.js';

const VALID = `name: t
load:
  rate: 10
  duration: 20s
slo:
  outside: { p99Ms: 85 }
  during: { p99Ms: 92, maxErrorRate: 0.01 }
faults:
  - { at: 2s, for: 3s, action: kill, app: ranking }
  - { at: 10s, for: 500ms, action: latency, app: recall, dependency: redis, ms: 30 }
  - { at: 15s, action: restart, app: render }
`;

/** VALID with one line replaced. */
const withLine = (from: string, to: string): string => {
  expect(VALID).toContain(from);
  return VALID.replace(from, to);
};

const errorOf = (text: string): string => {
  try {
    parsePlanText(text, 'plan.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ChaosPlanError);
    return (error as Error).message;
  }
  throw new Error('expected the plan to be refused');
};

describe('parsePlanText', () => {
  it('reads a YAML plan with durations, defaults and every fault field', () => {
    const plan = parsePlanText(VALID);
    expect(plan.load).toEqual({ rate: 10, durationMs: 20_000, warmupMs: 3_000, timeoutMs: 2_000, pageSize: 20, protocol: 'grpc', maxInflight: 256 });
    expect(plan.recoveryMs).toBe(2_000);
    expect(plan.slo.during).toEqual({ maxP99Ms: 92, maxP50Ms: undefined, maxErrorRate: 0.01, maxDegradedShare: undefined });
    expect(plan.faults).toEqual([
      { index: 0, action: 'kill', atMs: 2_000, forMs: 3_000, app: 'ranking', dependency: undefined, ms: 0 },
      { index: 1, action: 'latency', atMs: 10_000, forMs: 500, app: 'recall', dependency: 'redis', ms: 30 },
      { index: 2, action: 'restart', atMs: 15_000, forMs: 0, app: 'render', dependency: undefined, ms: 0 },
    ]);
  });

  it('reads the same plan as JSON', () => {
    const json = JSON.stringify({ load: { rate: 5, duration: 10_000 }, slo: { outside: { p99Ms: 1 }, during: { p99Ms: 2 } }, faults: [{ at: '1s', for: '1s', action: 'redis-restart' }] });
    expect(parsePlanText(json).faults[0]).toMatchObject({ action: 'redis-restart', app: undefined, atMs: 1_000 });
  });

  it('names the line and field of an unknown action', () => {
    expect(errorOf(withLine('action: kill', 'action: explode'))).toBe(
      'plan.yaml:9: faults[0].action must be one of kill, stop, restart, latency, redis-restart, got "explode"',
    );
  });

  it('refuses a bad duration, naming the field', () => {
    expect(errorOf(withLine('duration: 20s', 'duration: soon'))).toBe('plan.yaml:4: load.duration must be a duration like 500ms, 10s or 2m, got "soon"');
  });

  it('refuses an app the mesh does not run', () => {
    expect(errorOf(withLine('app: ranking', 'app: ingest'))).toMatch(/^plan\.yaml:9: faults\[0\]\.app must be one of recall, ranking, render, aggregator, got "ingest"$/);
  });

  it('needs a dependency and ms for latency, and refuses them elsewhere', () => {
    expect(errorOf(withLine('dependency: redis, ', ''))).toMatch(/^plan\.yaml:10: faults\[1\]\.dependency must be one of redis, postgres, got nothing$/);
    expect(errorOf(withLine(', ms: 30', ''))).toMatch(/faults\[1\]\.ms must be a number of ms > 0, got nothing/);
    expect(errorOf(withLine('app: ranking }', 'app: ranking, ms: 5 }'))).toMatch(/faults\[0\]\.ms is only used by latency/);
  });

  it('refuses a fault that outlasts the load or overlaps another', () => {
    expect(errorOf(withLine('at: 15s, action: restart', 'at: 19s, for: 2s, action: stop'))).toMatch(/faults\[2\]\.for ends at 21s, after the load \(20s\)/);
    expect(errorOf(withLine('at: 10s', 'at: 6s'))).toMatch(/^plan\.yaml:10: faults\[1\]\.at overlaps faults\[0\] \(its window with recovery ends at 7s\)/);
  });

  it('refuses unknown fields, thresholds out of range and an SLO without any gate', () => {
    expect(errorOf(withLine('rate: 10', 'rate: 10\n  rps: 3'))).toMatch(/^plan\.yaml:4: load\.rps is not a known field/);
    expect(errorOf(withLine('maxErrorRate: 0.01', 'maxErrorRate: 5'))).toMatch(/slo\.during\.maxErrorRate must be a fraction within \[0, 1\], got 5/);
    expect(errorOf(withLine('outside: { p99Ms: 85 }', 'outside: {}'))).toMatch(/slo\.outside must set at least one of p99Ms/);
  });

  it('reports YAML syntax errors with their line', () => {
    expect(errorOf('load:\n  rate: [1,\n')).toMatch(/^plan\.yaml:\d+: not valid YAML\/JSON/);
  });

  it('refuses a plan that is not an object, or has no faults', () => {
    expect(() => parsePlan(42)).toThrow('the plan must be an object, got 42');
    expect(() => parsePlan({ load: { rate: 1, duration: '1s' }, slo: { outside: { p99Ms: 1 }, during: { p99Ms: 1 } }, faults: [] })).toThrow('faults must list at least one fault');
  });
});
