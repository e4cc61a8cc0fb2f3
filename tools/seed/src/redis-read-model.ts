// The read model (libs/storage/src/read-model) of the whole seeded data set, written straight
// from the generator's in-memory arrays (the same values the COPY rows were made of, see
// UserProfileStreams), so a warm page finds every user and item in Redis and reads none of them
// from Postgres. What each user's hash holds follows loadUserReadModel (the read path's
// fallback) under the same limits: a hash the seed wrote equals the snapshot a miss would load.
import {
  encodeItemRecord,
  encodeTimelineMember,
  FANOUT_PULL_THRESHOLD,
  FRESH_ITEMS_MAX,
  ITEM_RECORD_SHARDS,
  itemRecordShard,
  itemRecordsKey,
  redisKeys,
  USER_PRESENT_FIELD,
  userFields,
  userReadModelKey,
  type UserReadModelLimits,
} from '@feedmesh/storage';
import type { Redis } from 'ioredis';
import { userId, type Dataset } from './dataset.js';
import { PipelinedWriter } from './redis-writer.js';
import { UserProfileStreams } from './user-profile-streams.js';

/**
 * What the seed keeps per user. Seeded users follow at most 100 authors and have at most 6
 * topics, so these limits cut nothing today; they matter when a reader loads a user with
 * smaller ones (then the hash holds more than the reader's snapshot would, never less).
 */
export const SEED_READ_MODEL_LIMITS: UserReadModelLimits = {
  maxAuthorAffinities: 200,
  maxTopics: 50,
  pullThreshold: FANOUT_PULL_THRESHOLD,
  maxPulledAuthors: 100,
};

export interface ReadModelCounts {
  users: number;
  /** Hash fields over all user hashes (with `_`). */
  userFields: number;
  itemRecords: number;
  freshItems: number;
}

/** Hash fields per HSET of item records (16 shards of ~62k fields at 1M items). */
const ITEM_FIELDS_PER_COMMAND = 2_000;

function byIdAscending(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Writes every item's record, every user's complete hash and the fresh-items zset. Keys are
 * replaced (the seed deleted feedmesh's keys before). Pipelined like the zsets: ~50k fields per
 * pipeline with one in flight while the next is built.
 */
export async function writeReadModel(redis: Redis, dataset: Dataset, limits: UserReadModelLimits = SEED_READ_MODEL_LIMITS): Promise<ReadModelCounts> {
  const { catalog, graph, stats } = dataset;
  const userCount = dataset.options.users;
  const writer = new PipelinedWriter(redis);
  const counts: ReadModelCounts = { users: 0, userFields: 0, itemRecords: 0, freshItems: 0 };

  // Item records, by shard, a few thousand fields per HSET. The seed publishes active items only.
  const shardArgs: string[][] = Array.from({ length: ITEM_RECORD_SHARDS }, () => []);
  const flushShard = (shard: number) => {
    const args = shardArgs[shard]!;
    if (args.length === 0) return;
    const key = itemRecordsKey(shard);
    writer.queue(args.length / 2, (p) => p.hset(key, ...args));
    shardArgs[shard] = [];
  };
  for (const shard of shardArgs.keys()) {
    const key = itemRecordsKey(shard);
    writer.queue(1, (p) => p.del(key));
  }
  for (let i = 0; i < catalog.count; i++) {
    const id = catalog.ids[i]!;
    const shard = itemRecordShard(id);
    const args = shardArgs[shard]!;
    args.push(
      id,
      encodeItemRecord({
        status: 'active',
        createdAtMs: catalog.createdAtMs[i]!,
        views: stats.views[i]!,
        likes: stats.likes[i]!,
        shares: stats.shares[i]!,
        hides: stats.hides[i]!,
      }),
    );
    if (args.length >= ITEM_FIELDS_PER_COMMAND * 2) flushShard(shard);
    if (writer.full) await writer.send();
  }
  for (const shard of shardArgs.keys()) flushShard(shard);
  counts.itemRecords = catalog.count;

  // Fresh items: the newest FRESH_ITEMS_MAX (catalog index order is publication order).
  const freshKey = redisKeys.freshItems();
  const freshArgs: Array<string | number> = [];
  for (let i = Math.max(0, catalog.count - FRESH_ITEMS_MAX); i < catalog.count; i++) {
    freshArgs.push(catalog.createdAtMs[i]!, encodeTimelineMember({ id: catalog.ids[i]!, kind: catalog.kinds[i]!, authorId: userId(catalog.authors[i]!) }));
  }
  writer.queue(freshArgs.length / 2, (p) => p.del(freshKey).zadd(freshKey, ...freshArgs));
  counts.freshItems = freshArgs.length / 2;

  // User hashes. Field names per author are built once (an author appears in many hashes).
  const ids = Array.from({ length: userCount }, (_, u) => userId(u));
  const authorField = ids.map((id) => userFields.author(id));
  const pulledField: Array<string | undefined> = new Array(userCount);
  const kindField = [1, 2, 3].map((kind) => userFields.kind(kind));
  const profiles = new UserProfileStreams(dataset.options.seed, graph, catalog);
  const scoreScratch = new Float64Array(256);
  const edgeOrder: number[] = [];
  const pulled: number[] = [];
  for (let u = 0; u < userCount; u++) {
    const args: string[] = [];
    const start = graph.offsets[u]!;
    const scores = profiles.authorScores(u, scoreScratch);
    if (scores.length <= limits.maxAuthorAffinities) {
      for (let e = 0; e < scores.length; e++) args.push(authorField[graph.followees[start + e]!]!, String(scores[e]));
    } else {
      // The strongest ones, ties by author id, as loadUserReadModel orders them.
      edgeOrder.length = 0;
      for (let e = 0; e < scores.length; e++) edgeOrder.push(e);
      edgeOrder.sort((x, y) => scores[y]! - scores[x]! || byIdAscending(ids[graph.followees[start + x]!]!, ids[graph.followees[start + y]!]!));
      for (let k = 0; k < limits.maxAuthorAffinities; k++) {
        const e = edgeOrder[k]!;
        args.push(authorField[graph.followees[start + e]!]!, String(scores[e]));
      }
    }
    const kinds = profiles.kindScores();
    for (let k = 0; k < 3; k++) args.push(kindField[k]!, String(kinds[k]));
    const topics = profiles
      .interests(u)
      .filter(([, weight]) => weight > 0)
      .sort((x, y) => y[1] - x[1] || byIdAscending(x[0], y[0]))
      .slice(0, limits.maxTopics);
    for (const [topic, weight] of topics) args.push(userFields.topic(topic), String(weight));
    pulled.length = 0;
    for (let e = start; e < graph.offsets[u + 1]!; e++) {
      const author = graph.followees[e]!;
      if (graph.followerCounts[author]! > limits.pullThreshold) pulled.push(author);
    }
    if (pulled.length > 1) pulled.sort((x, y) => graph.followerCounts[y]! - graph.followerCounts[x]! || byIdAscending(ids[x]!, ids[y]!));
    for (let k = 0; k < pulled.length && k < limits.maxPulledAuthors; k++) {
      const author = pulled[k]!;
      args.push((pulledField[author] ??= userFields.pulled(ids[author]!)), String(graph.followerCounts[author]));
    }
    // Complete: the whole snapshot in one HSET, so `_` never shows without the rest.
    args.push(USER_PRESENT_FIELD, '1');
    const key = userReadModelKey(ids[u]!);
    writer.queue(args.length / 2, (p) => p.del(key).hset(key, ...args));
    counts.users++;
    counts.userFields += args.length / 2;
    if (writer.full) await writer.send();
  }
  await writer.flush();
  return counts;
}
