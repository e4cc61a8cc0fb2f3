export { CacheCounters, CachedLoader, type CachedLoaderOptions, type CacheMetrics } from './cached-loader.js';
