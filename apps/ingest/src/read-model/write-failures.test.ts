import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ReadModelWriteFailures } from './write-failures.js';

describe('ReadModelWriteFailures', () => {
  it('counts every failure and logs at most once per 10 s, saying how many went unlogged', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = { warn: (fields: Record<string, unknown>) => lines.push(fields) } as never;
    const registry = new Registry();
    let now = 1_000_000;
    const failures = new ReadModelWriteFailures(logger, registry, () => now);
    for (let i = 0; i < 5; i++) {
      failures.record('engagement_rollup', new Error(`down ${i}`));
      now += 1_000;
    }
    expect(lines).toHaveLength(1);
    now += 6_000; // 11 s after the first line
    failures.record('engagement_rollup', new Error('still down'));
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ write: 'engagement_rollup', unloggedSinceLast: 4 });
    const metric = await registry.getSingleMetricAsString('ingest_read_model_write_failures_total');
    expect(metric).toContain('ingest_read_model_write_failures_total{write="engagement_rollup"} 6');
  });
});
