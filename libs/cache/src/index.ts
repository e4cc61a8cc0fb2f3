export { CacheCounters, CachedLoader, type CachedLoaderOptions, type CacheMetrics } from './cached-loader.js';
export { prometheusCacheMetrics } from './prometheus-cache-metrics.js';
