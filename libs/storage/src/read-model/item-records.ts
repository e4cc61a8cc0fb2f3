// Item records of the read model: what recall needs of every candidate (is it still active, when
// was it published, its engagement counters) in Redis, so a page reads none of it from Postgres.
// Written by the seed and kept current by ingest from the outbox's change stream (publish,
// delete, engagement rollups); a miss falls back to Postgres and writes the row back.
//
// Layout: ITEM_RECORD_SHARDS hashes `{ir:<shard>}:items`, field = item id, value = the encoded
// record. One HMGET per shard reads a page's ~500 candidates in ≤ 16 commands; on a Cluster each
// shard is one slot.
import type { EngagementCounts } from '../engagement-counts.js';
import { KEY_PREFIX } from '../keys.js';
import type { RedisClient } from '../redis.js';

export const ITEM_RECORD_SHARDS = 16;

export interface ItemRecord extends EngagementCounts {
  status: 'active' | 'deleted';
  /** Publication time, Unix ms (0 for a deleted item: nobody reads it). */
  createdAtMs: number;
}

/** The tombstone of a deleted item: a later engagement write must never bring it back. */
export const DELETED_ITEM_RECORD = 'd';

export function itemRecordShard(itemId: string): number {
  // Item ids are random UUIDs: their last hex digit is uniform.
  const code = itemId.charCodeAt(itemId.length - 1);
  const digit = code >= 48 && code <= 57 ? code - 48 : (code | 0x20) - 87;
  return (digit >= 0 && digit < 16 ? digit : code) % ITEM_RECORD_SHARDS;
}

export function itemRecordsKey(shard: number): string {
  return `${KEY_PREFIX}{ir:${shard}}:items`;
}

export function encodeItemRecord(record: ItemRecord): string {
  if (record.status === 'deleted') return DELETED_ITEM_RECORD;
  return `a${record.createdAtMs}:${record.views}:${record.likes}:${record.shares}:${record.hides}`;
}

/** Decodes a stored record; undefined for anything malformed (read as a miss). */
export function decodeItemRecord(value: string): ItemRecord | undefined {
  if (value === DELETED_ITEM_RECORD) return { status: 'deleted', createdAtMs: 0, views: 0, likes: 0, shares: 0, hides: 0 };
  if (value.charCodeAt(0) !== 97 /* a */) return undefined;
  const parts = value.slice(1).split(':');
  if (parts.length !== 5) return undefined;
  const [createdAtMs, views, likes, shares, hides] = parts.map(Number) as [number, number, number, number, number];
  if (!(createdAtMs >= 0 && views >= 0 && likes >= 0 && shares >= 0 && hides >= 0)) return undefined;
  return { status: 'active', createdAtMs, views, likes, shares, hides };
}

function byShard(ids: readonly string[]): Map<number, string[]> {
  const groups = new Map<number, string[]>();
  for (const id of ids) {
    const shard = itemRecordShard(id);
    let group = groups.get(shard);
    if (!group) groups.set(shard, (group = []));
    group.push(id);
  }
  return groups;
}

/** The records Redis holds for `ids` (one HMGET per shard, one round trip); misses are absent. */
export async function readItemRecords(redis: RedisClient, ids: readonly string[]): Promise<Map<string, ItemRecord>> {
  const found = new Map<string, ItemRecord>();
  if (ids.length === 0) return found;
  const groups = [...byShard(ids)];
  const replies = await Promise.all(groups.map(([shard, group]) => redis.hmget(itemRecordsKey(shard), ...group)));
  groups.forEach(([, group], g) => {
    const values = replies[g]!;
    for (let i = 0; i < group.length; i++) {
      const value = values[i];
      const record = value == null ? undefined : decodeItemRecord(value);
      if (record) found.set(group[i]!, record);
    }
  });
  return found;
}

/**
 * Writes records. `overwrite: false` (read-through write-backs) never replaces a value already
 * there, which may be newer than the Postgres row just read; `overwrite: true` (ingest's rollups)
 * replaces anything but a tombstone.
 */
export async function writeItemRecords(
  redis: RedisClient,
  records: ReadonlyArray<readonly [itemId: string, record: ItemRecord]>,
  options: { overwrite: boolean },
): Promise<void> {
  if (records.length === 0) return;
  const groups = new Map<number, string[]>();
  for (const [id, record] of records) {
    const shard = itemRecordShard(id);
    let args = groups.get(shard);
    if (!args) groups.set(shard, (args = []));
    args.push(id, encodeItemRecord(record));
  }
  await Promise.all(
    [...groups].map(([shard, args]) =>
      options.overwrite
        ? redis.eval(OVERWRITE_UNLESS_DELETED, 1, itemRecordsKey(shard), DELETED_ITEM_RECORD, ...args)
        : redis.eval(WRITE_IF_ABSENT, 1, itemRecordsKey(shard), ...args),
    ),
  );
}

/**
 * Deletions, in the order Redis took them, for readers that keep records in memory: a stream of
 * entries `ids` = comma-joined item ids, capped near ITEM_DELETIONS_KEPT entries (a reader's
 * memory holds records for seconds; it only needs the recent ones).
 */
export function itemDeletionsKey(): string {
  return `${KEY_PREFIX}{ir:deletions}:stream`;
}

const ITEM_DELETIONS_KEPT = 10_000;
/** Most deletion entries one read takes; more means the reader fell far behind (it forgets all). */
const ITEM_DELETIONS_READ = 1_000;

/**
 * A deleted item's tombstone (idempotent), then its entry in the deletions stream. In that
 * order: a reader that sees the entry and drops its memory of the record reads the tombstone.
 */
export async function markItemsDeleted(redis: RedisClient, itemIds: readonly string[]): Promise<void> {
  if (itemIds.length === 0) return;
  await Promise.all([...byShard(itemIds)].map(([shard, ids]) => redis.hset(itemRecordsKey(shard), ...ids.flatMap((id) => [id, DELETED_ITEM_RECORD]))));
  await redis.xadd(itemDeletionsKey(), 'MAXLEN', '~', ITEM_DELETIONS_KEPT, '*', 'ids', itemIds.join(','));
}

/** Where a reader of the deletions stream is: the last entry id it has applied. */
export type DeletionsCursor = string;

/** The cursor at the stream's end (entries written after now are the reader's to apply). */
export async function itemDeletionsEnd(redis: RedisClient): Promise<DeletionsCursor> {
  const last = await redis.xrevrange(itemDeletionsKey(), '+', '-', 'COUNT', 1);
  return last[0]?.[0] ?? '0-0';
}

/**
 * The item ids deleted after `cursor`, and the new cursor; `complete: false` when there were more
 * than one read takes (the reader should forget every record it holds).
 */
export async function readItemDeletions(
  redis: RedisClient,
  cursor: DeletionsCursor,
): Promise<{ ids: string[]; cursor: DeletionsCursor; complete: boolean }> {
  const entries = await redis.xrange(itemDeletionsKey(), `(${cursor}`, '+', 'COUNT', ITEM_DELETIONS_READ);
  const ids: string[] = [];
  for (const [, fields] of entries) {
    for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === 'ids') ids.push(...fields[i + 1]!.split(','));
  }
  return { ids, cursor: entries.at(-1)?.[0] ?? cursor, complete: entries.length < ITEM_DELETIONS_READ };
}

/** The later of two stream entry ids (`<ms>-<seq>`). */
export function laterStreamId(a: string, b: string): string {
  const [am, as] = a.split('-').map(Number) as [number, number];
  const [bm, bs] = b.split('-').map(Number) as [number, number];
  return am > bm || (am === bm && as >= bs) ? a : b;
}

const OVERWRITE_UNLESS_DELETED = `
for i = 2, #ARGV, 2 do
  if redis.call('HGET', KEYS[1], ARGV[i]) ~= ARGV[1] then redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 0`;

const WRITE_IF_ABSENT = `
for i = 1, #ARGV, 2 do redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1]) end
return 0`;
