import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CachedLoader } from './cached-loader.js';
import { prometheusCacheMetrics } from './prometheus-cache-metrics.js';

async function valuesOf(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('cache_events_total')!.get();
  return Object.fromEntries(metric.values.map((v) => [`${v.labels.cache}/${v.labels.event}`, v.value]));
}

describe('prometheusCacheMetrics', () => {
  it('counts each cache of a registry under its own label, in one series', async () => {
    const registry = new Registry();
    let clock = 1_000;
    const users = new CachedLoader<string, string>({
      load: async (key) => (key === 'boom' ? Promise.reject(new Error('down')) : `v:${key}`),
      maxEntries: 1,
      ttlMs: 1_000,
      now: () => clock,
      metrics: prometheusCacheMetrics(registry, 'users'),
    });
    const topics = new CachedLoader<string, string>({ load: async (key) => key, maxEntries: 10, ttlMs: 1_000, metrics: prometheusCacheMetrics(registry, 'topics') });

    await users.load('a'); // miss + load
    await users.load('a'); // hit
    await users.load('b'); // miss + load, evicts a
    await expect(users.load('boom')).rejects.toThrow('down'); // miss + load + load_error; its load in flight took b's place (evict)
    await topics.load('x');
    clock += 1;

    expect(await valuesOf(registry)).toMatchObject({
      'users/hit': 1,
      'users/miss': 3,
      'users/load': 3,
      'users/load_error': 1,
      'users/evict': 2,
      'topics/miss': 1,
      'topics/load': 1,
    });
  });
});
