// Ingest's side of the read model (libs/storage/src/read-model): the change stream the outbox
// and the engagement statement carry, applied to the Redis copy. Postgres stays the source of
// truth; every write here is one a reader's fallback would also make, so a write lost here is a
// stale or missing field, never a wrong answer for long (see each caller for how it heals).
// Per the user-hash rule, updates write single fields (HSET/HDEL) whether or not the hash is
// complete; only a full snapshot sets `_`.
import {
  KeyedPipeline,
  userFields,
  userReadModelKey,
  writeItemRecords,
  type ItemRecord,
  type RedisClient,
} from '@feedmesh/storage';
import type { UpdatedAuthorAffinity, UpdatedItemStats, UpdatedKindAffinity } from '../engagement/store-engagement.js';

/** An active item's record from its publication time and counters. */
export function activeItemRecord(createdAtMs: number, counts: { views: number; likes: number; shares: number; hides: number }): ItemRecord {
  return { status: 'active', createdAtMs, views: counts.views, likes: counts.likes, shares: counts.shares, hides: counts.hides };
}

/**
 * A rollup's results: the changed items' records (replacing older counters, never a tombstone)
 * and the changed affinities as `a:<author>` / `k:<kind>` fields of each user's hash, one HSET
 * per user, all in one pipeline (one per slot on a Cluster).
 */
export async function writeEngagementRollup(
  redis: RedisClient,
  stats: readonly UpdatedItemStats[],
  authorAffinities: readonly UpdatedAuthorAffinity[],
  kindAffinities: readonly UpdatedKindAffinity[],
): Promise<void> {
  const fieldsByUser = new Map<string, string[]>();
  const fieldsOf = (userId: string) => {
    let fields = fieldsByUser.get(userId);
    if (!fields) fieldsByUser.set(userId, (fields = []));
    return fields;
  };
  for (const [userId, authorId, score] of authorAffinities) fieldsOf(userId).push(userFields.author(authorId), score);
  for (const [userId, kind, score] of kindAffinities) fieldsOf(userId).push(userFields.kind(kind), score);
  const users = new KeyedPipeline(redis);
  for (const [userId, fields] of fieldsByUser) {
    const key = userReadModelKey(userId);
    users.add(key, (p) => p.hset(key, ...fields));
  }
  await Promise.all([
    writeItemRecords(
      redis,
      stats.map((s) => [s.itemId, activeItemRecord(s.createdAtMs, s)] as const),
      { overwrite: true },
    ),
    users.size > 0 ? users.exec() : undefined,
  ]);
}

/**
 * Sets (`followerCount` given) or removes (undefined) `p:<authorId>` in each follower's hash: the
 * author is a pull author for them, most followed first.
 */
export async function writePulledAuthor(redis: RedisClient, followerIds: readonly string[], authorId: string, followerCount: number | undefined): Promise<void> {
  if (followerIds.length === 0) return;
  const field = userFields.pulled(authorId);
  const batch = new KeyedPipeline(redis);
  for (const followerId of followerIds) {
    const key = userReadModelKey(followerId);
    batch.add(key, (p) => (followerCount === undefined ? p.hdel(key, field) : p.hset(key, field, String(followerCount))));
  }
  await batch.exec();
}
