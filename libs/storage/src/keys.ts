/**
 * Every Redis key feedmesh uses, in one place.
 *
 * Each key carries a hash tag (the part in braces): Redis Cluster hashes only the tag, so keys
 * that share a tag live in the same slot and may be used together in MULTI, Lua scripts and
 * multi-key commands. Tags are chosen by what must be atomic together:
 * - `{u:<userId>}`    a user's home timeline, preferences and seen items (read in one pipeline).
 * - `{a:<authorId>}`  an author's recent items and their publish idempotency claims, so a
 *                     publish can claim its request_id and append to the author zset atomically.
 * - `{s:<sessionId>}` a paging session's served-set and state.
 * - `{trending}`      all trending zsets in one slot (small), so ZUNION across kinds works.
 * - `{t:<topic>}`     one topic's recent items (topics spread across the cluster).
 * - `{i:<itemId>}`    one item's rendered card.
 * Keys with different tags must be read with separate commands (not one pipeline) on a Cluster.
 *
 * Ids are embedded verbatim; they must not contain braces (user ids, item UUIDs, topic slugs).
 */
import { sharedDataSettings } from './storage-env.js';

/**
 * Namespace of every key (REDIS_KEY_PREFIX, `fm:` by default), so several deployments (or
 * concurrent test runs) share one Redis without seeing each other's keys.
 */
export const KEY_PREFIX = sharedDataSettings.REDIS_KEY_PREFIX;

function tagged(tag: string, id: string, suffix: string): string {
  if (id.length === 0 || id.includes('{') || id.includes('}')) {
    throw new Error(`invalid id for a Redis key: ${JSON.stringify(id)}`);
  }
  return `${KEY_PREFIX}{${tag}:${id}}:${suffix}`;
}

export const redisKeys = {
  /** zset: a user's pushed home timeline; member = timeline member, score = created_at ms. */
  homeTimeline: (userId: string) => tagged('u', userId, 'home'),
  /** hash: a viewer's blocks, mutes and "show less" marks (viewer-state/viewer-preferences.ts). */
  viewerPreferences: (userId: string) => tagged('u', userId, 'prefs'),
  /** zset: items the viewer saw (VIEW); member = item id, score = end of the mark in ms (viewer-state/seen-items.ts). */
  viewerSeen: (userId: string) => tagged('u', userId, 'seen'),
  /** zset: an author's latest items; member = timeline member, score = created_at ms. */
  authorRecent: (authorId: string) => tagged('a', authorId, 'recent'),
  /** zset: trending items of one kind; member = timeline member, score = trendingScore(). */
  trending: (kind: number) => `${KEY_PREFIX}{trending}:kind:${kind}`,
  /** zset: the newest active items overall (FRESH_ITEMS_MAX); member = timeline member, score = created_at ms. */
  freshItems: () => `${KEY_PREFIX}{fresh}:items`,
  /** zset: recent items of one topic; member = timeline member, score = created_at ms. */
  topicRecent: (topic: string) => tagged('t', topic, 'recent'),
  /** string: an item's rendered card (serialized), cached by render. */
  renderedCard: (itemId: string) => tagged('i', itemId, 'card'),
  /** set: item ids already served in a paging session (dedupe across pages). */
  sessionServed: (sessionId: string) => tagged('s', sessionId, 'served'),
  /** hash: a paging session's state (cursor bookkeeping). */
  sessionState: (sessionId: string) => tagged('s', sessionId, 'state'),
  /** string (SET NX EX): a publish claim for one (author, request_id); value = item id. */
  publishClaim: (authorId: string, requestId: string) => `${tagged('a', authorId, 'publish')}:${requestId}`,
  /** hash: the data set these keys belong to (database, seed, boundAt); see dataset-binding.ts. */
  dataset: () => `${KEY_PREFIX}dataset`,
} as const;

/** SCAN pattern matching every feedmesh key (for resets in development and tests). */
export const ALL_KEYS_PATTERN = `${KEY_PREFIX}*`;

/** The hash tag Redis Cluster uses for slot hashing, or the whole key when it has none. */
export function hashTagOf(key: string): string {
  const open = key.indexOf('{');
  if (open < 0) return key;
  const close = key.indexOf('}', open + 1);
  if (close < 0 || close === open + 1) return key;
  return key.slice(open + 1, close);
}
