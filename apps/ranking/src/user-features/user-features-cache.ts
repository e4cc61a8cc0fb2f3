// Per-user features with a short in-process cache and a time budget. Ranking fails open: when
// the features are not there in time (slow or down Postgres) the request is scored without
// them and the outcome says so, instead of the whole feed failing. A load that outlives its
// budget still completes in the background and fills the cache for the user's next request.
import { CachedLoader, type CacheMetrics } from '@feedmesh/cache';
import { emptyUserFeatures, type UserFeatures } from '@feedmesh/feed-core';
import { DeadlineExceeded, withDeadline } from '@feedmesh/service-kit';

/** `cached`/`loaded`: features used; `timeout`/`error`: scored without them. */
export type UserFeaturesOutcome = 'cached' | 'loaded' | 'timeout' | 'error';

export interface UserFeaturesResult {
  features: UserFeatures;
  outcome: UserFeaturesOutcome;
  error?: unknown;
}

export interface UserFeaturesCacheOptions {
  load: (userId: string) => Promise<UserFeatures>;
  /** How long a user's features are reused. Short: affinities move as the user engages. */
  ttlMs: number;
  /** Most users kept. */
  maxUsers: number;
  metrics?: CacheMetrics;
}

export class UserFeaturesCache {
  private readonly cache: CachedLoader<string, UserFeatures>;

  constructor(options: UserFeaturesCacheOptions) {
    // Concurrent requests of one user share one load.
    this.cache = new CachedLoader<string, UserFeatures>({ load: options.load, maxEntries: options.maxUsers, ttlMs: options.ttlMs, metrics: options.metrics });
  }

  /** The user's features within `timeoutMs`, or empty features and why. Never rejects. */
  async get(userId: string, timeoutMs: number): Promise<UserFeaturesResult> {
    const hit = this.cache.get(userId);
    if (hit !== undefined) return { features: hit, outcome: 'cached' };
    try {
      const loaded = await withDeadline(this.cache.load(userId), { timeoutMs }, 'user features');
      return { features: loaded ?? emptyUserFeatures, outcome: 'loaded' };
    } catch (error) {
      if (error instanceof DeadlineExceeded) return { features: emptyUserFeatures, outcome: 'timeout' };
      return { features: emptyUserFeatures, outcome: 'error', error };
    }
  }
}
