import { CachedLoader, type CacheMetrics } from '@feedmesh/cache';

/** Answers "is this a demo user?" for GetFeed's user_id check. */
export interface UserLookup {
  exists(userId: string): Promise<boolean>;
}

export interface UserDirectoryOptions {
  /** How long a known user is trusted without asking the read model (Redis, then Postgres) again. */
  ttlMs: number;
  /** Entries kept; the least recently used is evicted first. */
  maxEntries?: number;
  /** Monotonic clock (tests). */
  now?: () => number;
  metrics?: CacheMetrics;
}

/**
 * Caches known user ids briefly: the lookup opens every paging session (each first page), and
 * users are rarely deleted. Unknown ids are not cached, so a user created a moment ago is found
 * at once; concurrent lookups of one id share one read.
 */
export class UserDirectory implements UserLookup {
  private readonly known: CachedLoader<string, true>;

  constructor(source: UserLookup, options: UserDirectoryOptions) {
    this.known = new CachedLoader<string, true>({
      load: async (userId) => ((await source.exists(userId)) ? true : undefined),
      maxEntries: options.maxEntries ?? 100_000,
      ttlMs: options.ttlMs,
      now: options.now,
      metrics: options.metrics,
    });
  }

  async exists(userId: string): Promise<boolean> {
    return (await this.known.load(userId)) === true;
  }
}
