// Pull side of the hybrid fan-out: items of authors with more than FANOUT_PULL_THRESHOLD
// followers are not pushed into follower timelines, so recall reads those authors' recent zsets.
import { LRUCache } from 'lru-cache';
import type pg from 'pg';

export interface PulledAuthorsOptions {
  /** Authors with strictly more followers than this are pulled (FANOUT_PULL_THRESHOLD). */
  threshold: number;
  /** How long one user's list is reused; a new follow shows up at most this late. */
  ttlMs: number;
  /** Most-followed first, at most this many authors per user. */
  maxAuthors: number;
  /** Users whose lists are kept in memory. */
  maxUsers: number;
}

// follows' primary key (follower_id, followee_id) is the range scan; users' primary key the
// nested-loop probe for follower_count.
const PULLED_AUTHORS_SQL = `
  SELECT f.followee_id
  FROM follows f
  JOIN users u ON u.id = f.followee_id
  WHERE f.follower_id = $1 AND u.follower_count > $2
  ORDER BY u.follower_count DESC, f.followee_id
  LIMIT $3`;

/** The pull-side authors a user follows, with a short per-user cache shared by concurrent calls. */
export class PulledAuthors {
  private readonly cache: LRUCache<string, Promise<string[]>>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: PulledAuthorsOptions,
  ) {
    this.cache = new LRUCache({ max: options.maxUsers, ttl: options.ttlMs });
  }

  of(userId: string): Promise<string[]> {
    const cached = this.cache.get(userId);
    if (cached) return cached;
    // Caching the promise makes concurrent requests of one user share a single query.
    const loading = this.query(userId);
    this.cache.set(userId, loading);
    loading.catch(() => this.cache.delete(userId));
    return loading;
  }

  private async query(userId: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ followee_id: string }>(PULLED_AUTHORS_SQL, [
      userId,
      this.options.threshold,
      this.options.maxAuthors,
    ]);
    return rows.map((r) => r.followee_id);
  }
}
