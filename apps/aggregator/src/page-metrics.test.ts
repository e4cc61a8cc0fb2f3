import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PageMetrics } from './page-metrics.js';

/** The sample `name` with exactly these labels, as /metrics writes it. */
async function value(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const series = `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('PageMetrics', () => {
  it('counts every page, and degraded ones once per distinct reason', async () => {
    const registry = new Registry();
    const metrics = new PageMetrics(registry);
    metrics.pageServed('for-you', { degradedReasons: [], timings: [] });
    metrics.pageServed('for-you', { degradedReasons: ['ranking: unavailable', 'render: deadline_exceeded', 'render: deadline_exceeded'], timings: [] });
    metrics.pageServed('following', { degradedReasons: ['ranking: unavailable'], timings: [] });
    expect(await value(registry, 'aggregator_pages_served_total', { feed: 'for-you', degraded: 'false' })).toBe(1);
    expect(await value(registry, 'aggregator_pages_served_total', { feed: 'for-you', degraded: 'true' })).toBe(1);
    expect(await value(registry, 'aggregator_degraded_pages_total', { feed: 'for-you', reason: 'ranking: unavailable' })).toBe(1);
    expect(await value(registry, 'aggregator_degraded_pages_total', { feed: 'for-you', reason: 'render: deadline_exceeded' })).toBe(1);
    expect(await value(registry, 'aggregator_degraded_pages_total', { feed: 'following', reason: 'ranking: unavailable' })).toBe(1);
  });

  it('observes each stage, and the budget share of the budgeted ones only', async () => {
    const registry = new Registry();
    const metrics = new PageMetrics(registry);
    metrics.pageServed('for-you', {
      degradedReasons: [],
      timings: [
        { stage: 'recall', durationMs: 30, budgetMs: 40 },
        { stage: 'ranking', durationMs: 45, budgetMs: 30 },
        { stage: 'session', durationMs: 1, budgetMs: 0 },
      ],
    });
    expect(await value(registry, 'aggregator_stage_duration_seconds_sum', { stage: 'recall' })).toBeCloseTo(0.03);
    expect(await value(registry, 'aggregator_stage_duration_seconds_count', { stage: 'session' })).toBe(1);
    expect(await value(registry, 'aggregator_stage_budget_used_ratio_bucket', { le: '0.75', stage: 'recall' })).toBe(1);
    expect(await value(registry, 'aggregator_stage_budget_used_ratio_bucket', { le: '1', stage: 'ranking' })).toBe(0);
    expect(await value(registry, 'aggregator_stage_budget_used_ratio_bucket', { le: '1.5', stage: 'ranking' })).toBe(1);
    expect(await value(registry, 'aggregator_stage_budget_used_ratio_count', { stage: 'session' })).toBeUndefined();
  });
});
