// The read model (libs/storage/src/read-model) kept current by ingest: after each write the Redis
// copy must equal what the read path's Postgres fallback (ItemsRepository.records, the affinity and
// follow rows) says. A small pull threshold makes pull authors and threshold crossings cheap.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { EngagementType } from '@feedmesh/contracts';
import {
  DELETED_ITEM_RECORD,
  encodeTimelineMember,
  itemRecordShard,
  itemRecordsKey,
  ItemsRepository,
  readItemRecords,
  redisKeys,
  userFields,
  userReadModelKey,
} from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePayload, createTestStores, insertFollows, insertUsers, startIngest, waitFor, type IngestClient, type StartedIngest, type TestStores, waitForRollup } from './fixtures.js';

const PULL_THRESHOLD = 3;

let stores: TestStores;
let ingest: StartedIngest;
let client: IngestClient;

beforeAll(async () => {
  stores = await createTestStores();
  await insertUsers(stores.pool, ['author', 'reader', 'star', 's1', 's2', 's3', 's4', 'rising', 'r1', 'r2', 'r3', 'r4', 'r5']);
  await insertFollows(stores.pool, 'star', ['s1', 's2', 's3', 's4']); // 4 > 3: a pull author
  await insertFollows(stores.pool, 'rising', ['r1', 'r2', 'r3']); // 3: pushed, one follow from pull
  ingest = await startIngest(
    stores,
    {
      INGEST_WORKERS: '4',
      FANOUT_PULL_THRESHOLD: String(PULL_THRESHOLD),
      // Several batches per crossing even for a handful of followers.
      FANOUT_BATCH_SIZE: '2',
    },
    { name: 'ingest-read-model' },
  );
  ({ client } = ingest);
});

afterAll(async () => {
  await ingest?.stop();
  await stores?.close();
});

async function rawRecord(itemId: string): Promise<string | null> {
  return stores.redis.hget(itemRecordsKey(itemRecordShard(itemId)), itemId);
}

async function memberOfItem(itemId: string): Promise<string> {
  const { rows } = await stores.pool.query<{ kind: number; author_id: string }>('SELECT kind, author_id FROM items WHERE id = $1', [itemId]);
  return encodeTimelineMember({ id: itemId, kind: rows[0]!.kind, authorId: rows[0]!.author_id });
}

async function createdMs(itemId: string): Promise<number> {
  const { rows } = await stores.pool.query<{ ms: number }>('SELECT floor(extract(epoch FROM created_at) * 1000)::float8 AS ms FROM items WHERE id = $1', [itemId]);
  return rows[0]!.ms;
}

async function pulledField(userId: string, authorId: string): Promise<string | null> {
  return stores.redis.hget(userReadModelKey(userId), userFields.pulled(authorId));
}

describe('items', () => {
  let itemId: string;

  it('publish writes the active record (equal to Postgres) and adds the item to fresh items', async () => {
    ({ itemId } = await client.publish({ requestId: 'rm-publish', authorId: 'author', payload: articlePayload('Fresh #go') }));
    expect(await waitFor(async () => (await rawRecord(itemId)) !== null)).toBe(true);
    const fromPostgres = await new ItemsRepository(stores.pool).records([itemId]);
    expect(fromPostgres.get(itemId)).toEqual({ status: 'active', createdAtMs: await createdMs(itemId), views: 0, likes: 0, shares: 0, hides: 0 });
    expect(await readItemRecords(stores.redis, [itemId])).toEqual(fromPostgres);
    expect(await waitFor(async () => (await stores.redis.zscore(redisKeys.freshItems(), await memberOfItem(itemId))) !== null)).toBe(true);
    expect(Number(await stores.redis.zscore(redisKeys.freshItems(), await memberOfItem(itemId)))).toBe(await createdMs(itemId));
  });

  it('delete leaves a tombstone and takes the item out of fresh items', async () => {
    const member = await memberOfItem(itemId);
    expect(await client.deleteItem({ itemId, authorId: 'author' })).toEqual(expect.objectContaining({ deleted: true }));
    expect(await waitFor(async () => (await rawRecord(itemId)) === DELETED_ITEM_RECORD)).toBe(true);
    expect(await waitFor(async () => (await stores.redis.zscore(redisKeys.freshItems(), member)) === null)).toBe(true);
    expect((await readItemRecords(stores.redis, [itemId])).get(itemId)?.status).toBe('deleted');
  });
});

describe('engagement rollups', () => {
  let itemA: string;
  let itemB: string;
  const now = Date.now();
  const event = (itemId: string, type: EngagementType, atMs: number, userId = 'reader') => ({ userId, itemId, type, occurredAt: timestampFromMs(atMs), dwellMs: 100 });

  beforeAll(async () => {
    itemA = (await client.publish({ requestId: 'rm-eng-a', authorId: 'author', payload: articlePayload('A') })).itemId;
    itemB = (await client.publish({ requestId: 'rm-eng-b', authorId: 'star', payload: { case: 'video', value: { title: 'B', url: 'https://e.com/v', durationMs: 5_000 } } })).itemId;
    // Let the publish jobs write their records first (as in production, they run within ms).
    expect(await waitFor(async () => (await rawRecord(itemA)) !== null && (await rawRecord(itemB)) !== null)).toBe(true);
  });

  /** The Redis copy of the users' affinities must equal their Postgres rows, as text. */
  async function expectAffinitiesMirrored(userIds: string[]): Promise<number> {
    const authors = await stores.pool.query<{ user_id: string; author_id: string; score: string }>(
      'SELECT user_id, author_id, score::text AS score FROM user_author_affinity WHERE user_id = ANY($1::text[])',
      [userIds],
    );
    const kinds = await stores.pool.query<{ user_id: string; kind: number; score: string }>(
      'SELECT user_id, kind, score::text AS score FROM user_kind_affinity WHERE user_id = ANY($1::text[])',
      [userIds],
    );
    for (const userId of userIds) {
      const expected: Record<string, string> = {};
      for (const r of authors.rows.filter((r) => r.user_id === userId)) expected[userFields.author(r.author_id)] = r.score;
      for (const r of kinds.rows.filter((r) => r.user_id === userId)) expected[userFields.kind(r.kind)] = r.score;
      const hash = await stores.redis.hgetall(userReadModelKey(userId));
      const mirrored = Object.fromEntries(Object.entries(hash).filter(([field]) => field.startsWith('a:') || field.startsWith('k:')));
      expect(mirrored, userId).toEqual(expected);
    }
    return authors.rowCount! + kinds.rowCount!;
  }

  it('writes the items’ counters and the users’ a:/k: fields as Postgres holds them, batch after batch', async () => {
    const first = await client.recordEngagement({
      events: [
        event(itemA, EngagementType.VIEW, now - 3000),
        event(itemA, EngagementType.LIKE, now - 3000),
        event(itemB, EngagementType.SHARE, now - 3000),
        event(itemB, EngagementType.VIEW, now - 3000, 's1'),
      ],
    });
    expect(first).toMatchObject({ accepted: 4, rejected: 0 });
    expect(await waitForRollup(stores.pool)).toBe(true);
    // The writes finish before the call answers.
    expect(await readItemRecords(stores.redis, [itemA, itemB])).toEqual(await new ItemsRepository(stores.pool).records([itemA, itemB]));
    expect((await readItemRecords(stores.redis, [itemA])).get(itemA)).toMatchObject({ views: 1, likes: 1 });
    expect(await expectAffinitiesMirrored(['reader', 's1'])).toBe(3 + 3);

    // A second batch moves every score again (a hide lowers them): the fields follow.
    const second = await client.recordEngagement({
      events: [
        event(itemA, EngagementType.HIDE, now - 2000),
        event(itemB, EngagementType.LIKE, now - 2000),
        event(itemB, EngagementType.LIKE, now - 2000, 's1'),
        event(itemA, EngagementType.CLICK, now - 2000, 's1'),
      ],
    });
    expect(second).toMatchObject({ accepted: 4 });
    expect(await waitForRollup(stores.pool)).toBe(true);
    expect(await readItemRecords(stores.redis, [itemA, itemB])).toEqual(await new ItemsRepository(stores.pool).records([itemA, itemB]));
    expect((await readItemRecords(stores.redis, [itemA])).get(itemA)).toMatchObject({ views: 1, likes: 1, hides: 1 });
    expect(await expectAffinitiesMirrored(['reader', 's1'])).toBe(4 + 4);
    // Updates only: no `_`, so a reader still loads the complete snapshot once.
    expect(await stores.redis.hget(userReadModelKey('reader'), '_')).toBeNull();
  });

  it('a deleted item keeps its tombstone: later engagement with it is refused and writes nothing', async () => {
    await client.recordEngagement({ events: [event(itemA, EngagementType.VIEW, now - 1500, 's2')] });
    expect(await client.deleteItem({ itemId: itemA, authorId: 'author' })).toEqual(expect.objectContaining({ deleted: true }));
    expect(await waitFor(async () => (await rawRecord(itemA)) === DELETED_ITEM_RECORD)).toBe(true);
    const rejected = await client.recordEngagement({ events: [event(itemA, EngagementType.VIEW, now - 1000, 's3'), event(itemB, EngagementType.VIEW, now - 1000, 's3')] });
    expect(rejected).toMatchObject({ accepted: 1, rejected: 1 });
    expect(await rawRecord(itemA)).toBe(DELETED_ITEM_RECORD);
  });

  it('answers when Redis is down, and counts the lost write in a metric', async () => {
    const noRedis = await startIngest(
      stores,
      // The request path's own rollup (sync): this instance runs no rollup runner.
      { REDIS_URL: 'redis://127.0.0.1:1/11', INGEST_RUN_WORKER: 'false', MIGRATE_ON_START: 'false', LOG_LEVEL: 'error', ENGAGEMENT_ROLLUP: 'sync' },
      { name: 'ingest-rm-no-redis' },
    );
    const degraded = noRedis.client;
    try {
      const outcome = await degraded.recordEngagement({ events: [event(itemB, EngagementType.CLICK, now - 500, 's4')] });
      expect(outcome).toMatchObject({ accepted: 1, rejected: 0 });
      const metrics = await (await fetch(`http://${noRedis.app.address}/metrics`)).text();
      expect(metrics).toMatch(/ingest_read_model_write_failures_total\{[^}]*write="engagement_rollup"[^}]*\} 1\b/);
    } finally {
      await noRedis.stop();
    }
  });
});

describe('follows', () => {
  it('following a pull author sets p:<author> to their follower count; unfollowing removes it', async () => {
    expect(await pulledField('reader', 'star')).toBeNull();
    expect(await client.follow({ followerId: 'reader', followeeId: 'star' })).toEqual(expect.objectContaining({ changed: true, followerCount: 5n }));
    expect(await waitFor(async () => (await pulledField('reader', 'star')) === '5')).toBe(true);
    expect(await client.unfollow({ followerId: 'reader', followeeId: 'star' })).toEqual(expect.objectContaining({ changed: true }));
    expect(await waitFor(async () => (await pulledField('reader', 'star')) === null)).toBe(true);
  });

  it('following a pushed author writes no p: field', async () => {
    await client.follow({ followerId: 'reader', followeeId: 'author' });
    // The follow job ran once the backfill landed (or found nothing): then look for the field.
    expect(await waitFor(async () => (await stores.pool.query('SELECT 1 FROM graphile_worker._private_jobs')).rowCount === 0)).toBe(true);
    expect(await pulledField('reader', 'author')).toBeNull();
  });

  it('an author crossing the threshold gains p: in every follower’s hash, and loses it when back to it', async () => {
    const followers = ['r1', 'r2', 'r3'];
    for (const f of followers) expect(await pulledField(f, 'rising')).toBeNull();
    // 3 → 4 followers: above the threshold.
    expect(await client.follow({ followerId: 'r4', followeeId: 'rising' })).toEqual(expect.objectContaining({ followerCount: 4n }));
    const all = [...followers, 'r4'];
    expect(await waitFor(async () => (await Promise.all(all.map((f) => pulledField(f, 'rising')))).every((v) => v === '4'))).toBe(true);
    // 4 → 5: no crossing; the newcomer's own follow job sets the field.
    await client.follow({ followerId: 'r5', followeeId: 'rising' });
    expect(await waitFor(async () => (await pulledField('r5', 'rising')) === '5')).toBe(true);

    // 5 → 4 → 3: back to the threshold, everyone loses it.
    await client.unfollow({ followerId: 'r5', followeeId: 'rising' });
    expect(await client.unfollow({ followerId: 'r4', followeeId: 'rising' })).toEqual(expect.objectContaining({ followerCount: 3n }));
    expect(await waitFor(async () => (await Promise.all([...all, 'r5'].map((f) => pulledField(f, 'rising')))).every((v) => v === null))).toBe(true);
    // And none is left behind by a late job.
    expect(await waitFor(async () => (await stores.pool.query('SELECT 1 FROM graphile_worker._private_jobs')).rowCount === 0)).toBe(true);
    for (const f of [...all, 'r5']) expect(await pulledField(f, 'rising'), f).toBeNull();
  });
});
