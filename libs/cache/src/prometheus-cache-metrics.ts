// A CachedLoader's counters as one Prometheus series for every cache of an app, labelled by cache
// and event, so one dashboard panel covers them all (hit ratio = hit / (hit + miss)).
import { Counter, type Registry } from 'prom-client';
import type { CacheMetrics } from './cached-loader.js';

const NAME = 'cache_events_total';

/** CacheMetrics counting into `cache_events_total{cache, event}` of `registry` (created once per registry). */
export function prometheusCacheMetrics(registry: Registry, cache: string): CacheMetrics {
  const counter =
    (registry.getSingleMetric(NAME) as Counter<'cache' | 'event'> | undefined) ??
    new Counter({
      name: NAME,
      help: 'In-process cache events by cache: hit, miss (waited for a load), load (loader calls), load_error, evict (dropped for room).',
      labelNames: ['cache', 'event'],
      registers: [registry],
    });
  // Children bound once: counting allocates nothing per lookup.
  const hit = counter.labels(cache, 'hit');
  const miss = counter.labels(cache, 'miss');
  const load = counter.labels(cache, 'load');
  const loadError = counter.labels(cache, 'load_error');
  const evict = counter.labels(cache, 'evict');
  return {
    hit: () => hit.inc(),
    miss: () => miss.inc(),
    load: () => load.inc(),
    loadError: () => loadError.inc(),
    evict: () => evict.inc(),
  };
}
