// The writer's side of the read model (ingest's): the change stream the outbox and the
// engagement statement carry, applied to the Redis copy. Postgres stays the source of
// truth; every write here is one a reader's fallback would also make, so a write lost here is a
// stale or missing field, never a wrong answer for long (see each caller for how it heals).
// Per the user-hash rule, updates write single fields (HSET/HDEL) whether or not the hash is
// complete; only a full snapshot sets `_`.
import { Cluster } from 'ioredis';
import type { EngagementCounts } from '../engagement-counts.js';
import { KeyedPipeline } from '../keyed-pipeline.js';
import type { RedisClient } from '../redis.js';
import type { UpdatedAuthorAffinity, UpdatedItemStats, UpdatedKindAffinity } from '../repositories/engagement-repository.js';
import { writeItemRecords, type ItemRecord } from './item-records.js';
import { userFields, userReadModelKey } from './user-read-model.js';

/** An active item's record from its publication time and counters. */
export function activeItemRecord(createdAtMs: number, counts: EngagementCounts): ItemRecord {
  return { status: 'active', createdAtMs, views: counts.views, likes: counts.likes, shares: counts.shares, hides: counts.hides };
}

// HSET of each key's fields, many keys per call. ARGV: per key, its field count, then its
// field/value pairs (unpacked 500 pairs at a time: Lua's unpack has a stack limit).
const HSET_MANY = `
local a = 1
for i = 1, #KEYS do
  local last = a + 2 * tonumber(ARGV[a])
  a = a + 1
  while a <= last do
    local upto = math.min(a + 999, last)
    redis.call('HSET', KEYS[i], unpack(ARGV, a, upto))
    a = upto + 1
  end
end
return #KEYS`;

/** Keys per HSET_MANY call: each call holds Redis for about a millisecond. */
const HASHES_PER_SCRIPT = 500;

/**
 * Writes fields into many hashes. A rollup touches thousands of user hashes; as one command each,
 * the client's per-command work (and a timeout timer each) cost more than the rest of the call,
 * so a single Redis gets them as a few scripts of HASHES_PER_SCRIPT hashes. On a Cluster every
 * user's hash is in its own slot: there they go as HSETs in per-slot pipelines (KeyedPipeline).
 */
async function hsetMany(redis: RedisClient, hashes: ReadonlyMap<string, string[]>): Promise<void> {
  if (hashes.size === 0) return;
  if (redis instanceof Cluster) {
    const batch = new KeyedPipeline(redis);
    for (const [key, fields] of hashes) batch.add(key, (p) => p.hset(key, ...fields));
    await batch.exec();
    return;
  }
  const calls: Array<Promise<unknown>> = [];
  let keys: string[] = [];
  let args: string[] = [];
  const send = () => {
    calls.push(redis.eval(HSET_MANY, keys.length, ...keys, ...args));
    keys = [];
    args = [];
  };
  for (const [key, fields] of hashes) {
    keys.push(key);
    args.push(String(fields.length / 2));
    for (const field of fields) args.push(field);
    if (keys.length >= HASHES_PER_SCRIPT) send();
  }
  if (keys.length > 0) send();
  await Promise.all(calls);
}

/**
 * A rollup's results: the changed items' records (replacing older counters, never a tombstone)
 * and the changed affinities as `a:<author>` / `k:<kind>` fields of each user's hash (see
 * hsetMany).
 */
export async function writeEngagementRollup(
  redis: RedisClient,
  stats: readonly UpdatedItemStats[],
  authorAffinities: readonly UpdatedAuthorAffinity[],
  kindAffinities: readonly UpdatedKindAffinity[],
): Promise<void> {
  const fieldsByUser = new Map<string, string[]>();
  const fieldsOf = (userId: string) => {
    const key = userReadModelKey(userId);
    let fields = fieldsByUser.get(key);
    if (!fields) fieldsByUser.set(key, (fields = []));
    return fields;
  };
  for (const [userId, authorId, score] of authorAffinities) fieldsOf(userId).push(userFields.author(authorId), score);
  for (const [userId, kind, score] of kindAffinities) fieldsOf(userId).push(userFields.kind(kind), score);
  await Promise.all([
    writeItemRecords(
      redis,
      stats.map((s) => [s.itemId, activeItemRecord(s.createdAtMs, s)] as const),
      { overwrite: true },
    ),
    hsetMany(redis, fieldsByUser),
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
