// The read model (libs/storage/src/read-model) of the whole seeded data set, written straight
// from the generator's in-memory arrays (the same values the COPY rows were made of, see
// UserProfileStreams), so a warm page finds every user and item in Redis and reads none of them
// from Postgres. What each user's hash holds follows UsersRepository.readModel (the read path's
// fallback) under the same limits (storage's USER_READ_MODEL_LIMITS, which the readers use): a
// hash the seed wrote equals the snapshot a miss would load.
import {
  encodeItemRecord,
  encodeTimelineMember,
  FRESH_ITEMS_MAX,
  ITEM_RECORD_SHARDS,
  itemRecordShard,
  itemRecordsKey,
  redisKeys,
  USER_PRESENT_FIELD,
  USER_READ_MODEL_LIMITS,
  userFields,
  userReadModelKey,
  type UserReadModelLimits,
} from '@feedmesh/storage';
import { userId, type Dataset } from './dataset.js';
import { RespBulkWriter } from './resp-bulk-writer.js';
import { UserProfileStreams } from './user-profile-streams.js';

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
 * Writes every item's record, every user's complete hash and the fresh-items zset, replacing
 * those keys, as raw RESP on a connection of its own (RespBulkWriter: ~8M hash fields at the
 * benchmark's size, where a client library's per-argument work dominated).
 */
export async function writeReadModel(redisUrl: string, dataset: Dataset, limits: UserReadModelLimits = USER_READ_MODEL_LIMITS): Promise<ReadModelCounts> {
  const writer = await RespBulkWriter.connect(redisUrl);
  let counts: ReadModelCounts;
  try {
    counts = await writeAll(writer, dataset, limits);
  } catch (error) {
    writer.abort();
    throw error;
  }
  await writer.finish();
  return counts;
}

/**
 * Encoded values, cached: the seed's scores and weights have at most 4 decimals in [0, 1], so a
 * few thousand distinct values cover millions of fields (indexed by value * 10^4; any other
 * value is encoded on the spot).
 */
class EncodedValues {
  private readonly values = new Float64Array(10_001).fill(NaN);
  private readonly encoded: Buffer[] = new Array(10_001);
  get(value: number): Buffer {
    const slot = Math.round(value * 10_000);
    if (!(slot >= 0 && slot <= 10_000)) return RespBulkWriter.encode(String(value));
    if (this.values[slot] === value) return this.encoded[slot]!;
    const encoded = RespBulkWriter.encode(String(value));
    if (Number.isNaN(this.values[slot]!)) {
      this.values[slot] = value;
      this.encoded[slot] = encoded;
    }
    return encoded;
  }
}

async function writeAll(writer: RespBulkWriter, dataset: Dataset, limits: UserReadModelLimits): Promise<ReadModelCounts> {
  const { catalog, graph, stats } = dataset;
  const userCount = dataset.options.users;
  const counts: ReadModelCounts = { users: 0, userFields: 0, itemRecords: 0, freshItems: 0 };

  // Item records, shard by shard, a few thousand fields per HSET. The seed publishes active items only.
  const shardOf = new Uint8Array(catalog.count);
  const shardSizes = new Int32Array(ITEM_RECORD_SHARDS);
  for (let i = 0; i < catalog.count; i++) shardSizes[(shardOf[i] = itemRecordShard(catalog.ids[i]!))]!++;
  const shardItems = Array.from(shardSizes, (size) => new Int32Array(size));
  const filled = new Int32Array(ITEM_RECORD_SHARDS);
  for (let i = 0; i < catalog.count; i++) shardItems[shardOf[i]!]![filled[shardOf[i]!]!++] = i;
  for (let shard = 0; shard < ITEM_RECORD_SHARDS; shard++) {
    const key = itemRecordsKey(shard);
    writer.command(['DEL', key]);
    const items = shardItems[shard]!;
    for (let from = 0; from < items.length; from += ITEM_FIELDS_PER_COMMAND) {
      const to = Math.min(items.length, from + ITEM_FIELDS_PER_COMMAND);
      writer.begin(2 + (to - from) * 2);
      writer.arg('HSET');
      writer.arg(key);
      for (let j = from; j < to; j++) {
        const i = items[j]!;
        writer.arg(catalog.ids[i]!);
        writer.arg(
          encodeItemRecord({
            status: 'active',
            createdAtMs: catalog.createdAtMs[i]!,
            views: stats.views[i]!,
            likes: stats.likes[i]!,
            shares: stats.shares[i]!,
            hides: stats.hides[i]!,
          }),
        );
      }
      await writer.maybeFlush();
    }
  }
  counts.itemRecords = catalog.count;

  // Fresh items: the newest FRESH_ITEMS_MAX (catalog index order is publication order).
  const freshKey = redisKeys.freshItems();
  const fresh: string[] = ['ZADD', freshKey];
  for (let i = Math.max(0, catalog.count - FRESH_ITEMS_MAX); i < catalog.count; i++) {
    fresh.push(String(catalog.createdAtMs[i]), encodeTimelineMember({ id: catalog.ids[i]!, kind: catalog.kinds[i]!, authorId: userId(catalog.authors[i]!) }));
  }
  writer.command(['DEL', freshKey]);
  if (fresh.length > 2) writer.command(fresh);
  counts.freshItems = (fresh.length - 2) / 2;

  // User hashes. Field names are encoded once per author (an author is in many hashes), values
  // once per distinct score.
  const ids = Array.from({ length: userCount }, (_, u) => userId(u));
  const authorField: Array<Buffer | undefined> = new Array(userCount);
  const pulledPair: Array<Buffer | undefined> = new Array(userCount);
  const kindField = [1, 2, 3].map((kind) => RespBulkWriter.encode(userFields.kind(kind)));
  const topicField = new Map<string, Buffer>();
  const values = new EncodedValues();
  const hset = RespBulkWriter.encode('HSET');
  const present = Buffer.concat([RespBulkWriter.encode(USER_PRESENT_FIELD), RespBulkWriter.encode('1')]);
  const profiles = new UserProfileStreams(dataset.options.seed, graph, catalog);
  const scoreScratch = new Float64Array(256);
  const kept: number[] = [];
  const pulled: number[] = [];
  for (let u = 0; u < userCount; u++) {
    const start = graph.offsets[u]!;
    const scores = profiles.authorScores(u, scoreScratch);
    kept.length = 0;
    for (let e = 0; e < scores.length; e++) kept.push(e);
    if (kept.length > limits.maxAuthorAffinities) {
      // The strongest ones, ties by author id, as UsersRepository.readModel orders them.
      kept.sort((x, y) => scores[y]! - scores[x]! || byIdAscending(ids[graph.followees[start + x]!]!, ids[graph.followees[start + y]!]!));
      kept.length = limits.maxAuthorAffinities;
    }
    const kinds = profiles.kindScores();
    const topics = profiles
      .interests(u)
      .filter(([, weight]) => weight > 0)
      .sort((x, y) => y[1] - x[1] || byIdAscending(x[0], y[0]))
      .slice(0, limits.maxTopics);
    pulled.length = 0;
    for (let e = start; e < graph.offsets[u + 1]!; e++) {
      const author = graph.followees[e]!;
      if (graph.followerCounts[author]! > limits.pullThreshold) pulled.push(author);
    }
    if (pulled.length > 1) pulled.sort((x, y) => graph.followerCounts[y]! - graph.followerCounts[x]! || byIdAscending(ids[x]!, ids[y]!));
    if (pulled.length > limits.maxPulledAuthors) pulled.length = limits.maxPulledAuthors;

    // Complete: the whole snapshot in one HSET, so `_` never shows without the rest.
    const fields = kept.length + 3 + topics.length + pulled.length + 1;
    const key = userReadModelKey(ids[u]!);
    writer.command(['DEL', key]);
    writer.begin(2 + fields * 2);
    writer.encoded(hset);
    writer.arg(key);
    for (const e of kept) {
      const author = graph.followees[start + e]!;
      writer.encoded((authorField[author] ??= RespBulkWriter.encode(userFields.author(ids[author]!))));
      writer.encoded(values.get(scores[e]!));
    }
    for (let k = 0; k < 3; k++) {
      writer.encoded(kindField[k]!);
      writer.encoded(values.get(kinds[k]));
    }
    for (const [topic, weight] of topics) {
      let field = topicField.get(topic);
      if (!field) topicField.set(topic, (field = RespBulkWriter.encode(userFields.topic(topic))));
      writer.encoded(field);
      writer.encoded(values.get(weight));
    }
    for (const author of pulled) {
      writer.encoded(
        (pulledPair[author] ??= Buffer.concat([
          RespBulkWriter.encode(userFields.pulled(ids[author]!)),
          RespBulkWriter.encode(String(graph.followerCounts[author])),
        ])),
      );
    }
    writer.encoded(present);
    counts.users++;
    counts.userFields += fields;
    await writer.maybeFlush();
  }
  return counts;
}
