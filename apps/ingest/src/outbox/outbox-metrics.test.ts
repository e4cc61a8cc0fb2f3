import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { registerOutboxMetrics } from './outbox-metrics.js';

describe('outbox metrics', () => {
  it('report the backlog read at scrape time, with one read per scrape', async () => {
    const registry = new Registry();
    let reads = 0;
    registerOutboxMetrics(registry, async () => (reads++, { due: 3, scheduled: 2, failed: 1, oldestDueAgeSeconds: 42.5 }), () => {});
    const text = await registry.metrics();
    expect(text).toContain('ingest_outbox_lag_seconds 42.5');
    expect(text).toContain('ingest_outbox_jobs{state="due"} 3');
    expect(text).toContain('ingest_outbox_jobs{state="scheduled"} 2');
    expect(text).toContain('ingest_outbox_jobs{state="failed"} 1');
    expect(reads).toBe(1);
  });

  it('say NaN (unknown) when the queue cannot be read, rather than a stale or zero lag', async () => {
    const registry = new Registry();
    let fail = false;
    const errors: unknown[] = [];
    registerOutboxMetrics(registry, async () => {
      if (fail) throw new Error('connection refused');
      return { due: 1, scheduled: 0, failed: 0, oldestDueAgeSeconds: 5 };
    }, (error) => errors.push(error));
    expect(await registry.metrics()).toContain('ingest_outbox_lag_seconds 5');
    fail = true;
    await new Promise((r) => setImmediate(r));
    const text = await registry.metrics();
    // prom-client writes "Nan"; Prometheus parses it, in any case, as NaN.
    expect(text).toMatch(/^ingest_outbox_lag_seconds nan$/im);
    expect(text).not.toMatch(/^ingest_outbox_jobs\{/m);
    expect(errors).toHaveLength(1);
  });
});
