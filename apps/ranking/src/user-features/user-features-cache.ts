// Per-user features with a short in-process cache and a time budget. Ranking fails open: when
// the features are not there in time (slow or down Postgres) the request is scored without
// them and the outcome says so, instead of the whole feed failing. A load that outlives its
// budget still completes in the background and fills the cache for the user's next request.
import { emptyUserFeatures, type UserFeatures } from '@feedmesh/feed-core';
import { LRUCache } from 'lru-cache';

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
}

export class UserFeaturesCache {
  private readonly cache: LRUCache<string, UserFeatures>;

  constructor(options: UserFeaturesCacheOptions) {
    this.cache = new LRUCache<string, UserFeatures>({
      max: options.maxUsers,
      ttl: options.ttlMs,
      // Concurrent requests of one user share one load (lru-cache dedupes in-flight fetches).
      fetchMethod: (userId) => options.load(userId),
    });
  }

  /** The user's features within `timeoutMs`, or empty features and why. Never rejects. */
  async get(userId: string, timeoutMs: number): Promise<UserFeaturesResult> {
    const hit = this.cache.get(userId);
    if (hit !== undefined) return { features: hit, outcome: 'cached' };

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), Math.max(0, timeoutMs));
    });
    const loading = this.cache.fetch(userId);
    // The load may settle after the timeout; keep its rejection from going unhandled.
    loading.catch(() => undefined);
    try {
      const winner = await Promise.race([loading, timedOut]);
      if (winner === 'timeout') return { features: emptyUserFeatures, outcome: 'timeout' };
      return { features: winner ?? emptyUserFeatures, outcome: 'loaded' };
    } catch (error) {
      return { features: emptyUserFeatures, outcome: 'error', error };
    } finally {
      clearTimeout(timer);
    }
  }
}
