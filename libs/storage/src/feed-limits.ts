/**
 * Sizes shared by the write path (fan-out, trimming) and the read path (recall). Each can be
 * overridden by an environment variable of the same name, read once at startup; a value that is
 * not a positive integer is a configuration error and throws instead of being coerced.
 */

function positiveIntFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d*$/.test(raw)) {
    throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
}

/** Entries kept in a home timeline zset (env TIMELINE_MAX_LENGTH, default 800). */
export const TIMELINE_MAX_LENGTH = positiveIntFromEnv('TIMELINE_MAX_LENGTH', 800);

/** Entries kept in an author's recent-items zset (env AUTHOR_RECENT_MAX, default 200). */
export const AUTHOR_RECENT_MAX = positiveIntFromEnv('AUTHOR_RECENT_MAX', 200);

/**
 * Hybrid fan-out threshold (env FANOUT_PULL_THRESHOLD, default 10,000). Items of an author with
 * more followers than this are not pushed into follower timelines (one publish would cost that
 * many writes); recall pulls such authors' recent zsets at read time instead.
 */
export const FANOUT_PULL_THRESHOLD = positiveIntFromEnv('FANOUT_PULL_THRESHOLD', 10_000);

/** Entries kept in each trending zset (env TRENDING_MAX_LENGTH, default 1,000). */
export const TRENDING_MAX_LENGTH = positiveIntFromEnv('TRENDING_MAX_LENGTH', 1_000);

/** Entries kept in each topic's recent-items zset (env TOPIC_RECENT_MAX, default 500). */
export const TOPIC_RECENT_MAX = positiveIntFromEnv('TOPIC_RECENT_MAX', 500);

/**
 * Trending half-life in ms (env TRENDING_HALF_LIFE_MS, default 6 h): an item must have twice the
 * weighted engagement of one published this much later to rank the same.
 */
export const TRENDING_HALF_LIFE_MS = positiveIntFromEnv('TRENDING_HALF_LIFE_MS', 6 * 60 * 60 * 1000);

/** How long a publish idempotency claim lives in Redis (env PUBLISH_CLAIM_TTL_S, default 30 s). */
export const PUBLISH_CLAIM_TTL_S = positiveIntFromEnv('PUBLISH_CLAIM_TTL_S', 30);

/** Entries kept in the fresh-items zset that recall's "fresh" source reads (env FRESH_ITEMS_MAX, default 1000). */
export const FRESH_ITEMS_MAX = positiveIntFromEnv('FRESH_ITEMS_MAX', 1_000);

/**
 * What a user's read model keeps (one set of limits for every writer and reader, so a snapshot
 * written by one service is the one another expects): the strongest author affinities
 * (USER_AFFINITY_MAX_ROWS, default 5,000), the heaviest topics (USER_INTEREST_TOPICS_MAX, 20),
 * the most-followed pull authors (USER_PULLED_AUTHORS_MAX, 100).
 */
export const USER_READ_MODEL_LIMITS = {
  maxAuthorAffinities: positiveIntFromEnv('USER_AFFINITY_MAX_ROWS', 5_000),
  maxTopics: positiveIntFromEnv('USER_INTEREST_TOPICS_MAX', 20),
  pullThreshold: FANOUT_PULL_THRESHOLD,
  maxPulledAuthors: positiveIntFromEnv('USER_PULLED_AUTHORS_MAX', 100),
} as const;
