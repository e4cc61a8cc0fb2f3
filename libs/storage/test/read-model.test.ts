import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPgPool,
  createRedis,
  dropDatabase,
  ensureDatabase,
  itemDeletionsEnd,
  itemRecordShard,
  itemDeletionsKey,
  itemRecordsKey,
  laterStreamId,
  markItemsDeleted,
  migrate,
  ReadModel,
  readItemDeletions,
  readItemRecords,
  userFields,
  userReadModelKey,
  waitForRedis,
  writeItemRecords,
  type ReadModelOutcome,
} from '../src/index.js';

const PG_BASE = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';
const dbUrl = `${PG_BASE}/feedmesh_test_rm_${randomBytes(5).toString('hex')}`;
const limits = { maxAuthorAffinities: 10, maxTopics: 5, pullThreshold: 1, maxPulledAuthors: 5 };
const redis = createRedis({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', lazyConnect: true });
let pool: ReturnType<typeof createPgPool>;
let itemId = '';
const counted: Array<[string, ReadModelOutcome, number]> = [];
let model: ReadModel;

beforeAll(async () => {
  await ensureDatabase(dbUrl);
  await migrate(dbUrl);
  pool = createPgPool({ connectionString: dbUrl, max: 2 });
  await waitForRedis(redis);
  await pool.query(`INSERT INTO users (id, handle, display_name, follower_count) VALUES ('v', 'v', 'V', 0), ('big', 'big', 'Big', 5), ('small', 'small', 'S', 0)`);
  await pool.query(`INSERT INTO follows (follower_id, followee_id) VALUES ('v', 'big'), ('v', 'small')`);
  await pool.query(`INSERT INTO user_author_affinity (user_id, author_id, score) VALUES ('v', 'big', 0.5)`);
  await pool.query(`INSERT INTO user_kind_affinity (user_id, kind, score) VALUES ('v', 2, 0.75)`);
  await pool.query(`INSERT INTO user_interests (user_id, topic, weight) VALUES ('v', 'go', 2)`);
  const { rows } = await pool.query<{ id: string }>(`INSERT INTO items (kind, author_id, payload) VALUES (1, 'big', '{"title":"t"}') RETURNING id`);
  itemId = rows[0]!.id;
  await pool.query(`INSERT INTO item_stats (item_id, views, likes) VALUES ($1, 7, 3)`, [itemId]);
  model = new ReadModel(redis, pool, { limits, onLookup: (what, outcome, n) => counted.push([what, outcome, n]) });
});

afterAll(async () => {
  // Only what this test wrote (the run's own key prefix: vitest.config.mts), the deletions stream too.
  await redis.del(userReadModelKey('v'), userReadModelKey('w'), itemDeletionsKey());
  if (itemId) await redis.hdel(itemRecordsKey(itemRecordShard(itemId)), itemId);
  redis.disconnect();
  await pool?.end();
  await dropDatabase(dbUrl);
});

describe('ReadModel', () => {
  it('loads a user from Postgres on a miss, writes it back, then serves it from Redis', async () => {
    const first = await model.user('v');
    expect(first).toEqual({
      authorAffinity: new Map([['big', 0.5]]),
      kindAffinity: new Map([[2, 0.75]]),
      interests: [{ topic: 'go', weight: 2 }],
      pulledAuthors: ['big'],
    });
    await expect.poll(() => redis.hget(userReadModelKey('v'), '_')).toBe('1');
    expect(await model.user('v')).toEqual(first);
    expect(await model.user('nobody')).toBeUndefined();
    expect(counted.filter(([w]) => w === 'user').map(([, o]) => o)).toEqual(['miss', 'hit', 'absent']);
  });

  it('keeps a field an update wrote before the snapshot landed', async () => {
    await pool.query(`INSERT INTO users (id, handle, display_name) VALUES ('w', 'w', 'W')`);
    await pool.query(`INSERT INTO user_author_affinity (user_id, author_id, score) VALUES ('w', 'big', 0.1)`);
    // An update of ingest's arrives first: the hash has a field but is not complete.
    await redis.hset(userReadModelKey('w'), userFields.author('big'), '0.9');
    expect((await model.user('w'))?.authorAffinity.get('big')).toBe(0.1);
    await expect.poll(() => redis.hget(userReadModelKey('w'), '_')).toBe('1');
    expect((await model.user('w'))?.authorAffinity.get('big')).toBe(0.9);
  });

  it('reads item records through to Postgres once, and a tombstone survives later rollups', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const records = await model.itemRecords([itemId, missing]);
    expect(records.get(itemId)).toMatchObject({ status: 'active', views: 7, likes: 3 });
    expect(records.has(missing)).toBe(false);
    await expect.poll(async () => (await readItemRecords(redis, [itemId])).size).toBe(1);
    await markItemsDeleted(redis, [itemId]);
    await writeItemRecords(redis, [[itemId, { status: 'active', createdAtMs: 1, views: 8, likes: 3, shares: 0, hides: 0 }]], { overwrite: true });
    expect((await readItemRecords(redis, [itemId])).get(itemId)?.status).toBe('deleted');
    expect(await redis.hget(itemRecordsKey(itemRecordShard(itemId)), itemId)).toBe('d');
  });

  it('serves item records from the in-process cache within its ttl, and from Redis after it', async () => {
    const outcomes: ReadModelOutcome[] = [];
    const cached = new ReadModel(redis, pool, { limits, itemRecordCache: { ttlMs: 150, max: 10 }, onLookup: (_w, outcome) => outcomes.push(outcome) });
    const { rows } = await pool.query<{ id: string }>(`INSERT INTO items (kind, author_id, payload) VALUES (1, 'small', '{"title":"c"}') RETURNING id`);
    const id = rows[0]!.id;
    try {
      expect((await cached.itemRecords([id])).get(id)?.views).toBe(0);
      await writeItemRecords(redis, [[id, { status: 'active', createdAtMs: 1, views: 5, likes: 0, shares: 0, hides: 0 }]], { overwrite: true });
      expect((await cached.itemRecords([id])).get(id)?.views).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect((await cached.itemRecords([id])).get(id)?.views).toBe(5);
      expect(outcomes).toEqual(['miss', 'memory', 'hit']);
      // A deletion is seen by the very next lookup, whatever the ttl.
      await markItemsDeleted(redis, [id]);
      expect((await cached.itemRecords([id])).get(id)?.status).toBe('deleted');
    } finally {
      await redis.hdel(itemRecordsKey(itemRecordShard(id)), id);
    }
  });

  it('reads the deletions stream from a cursor, in order', async () => {
    const start = await itemDeletionsEnd(redis);
    await markItemsDeleted(redis, ['x1', 'x2']);
    await markItemsDeleted(redis, ['x3']);
    const read = await readItemDeletions(redis, start);
    expect(read.ids.filter((id) => id.startsWith('x'))).toEqual(['x1', 'x2', 'x3']);
    expect(read.complete).toBe(true);
    expect(await readItemDeletions(redis, read.cursor)).toMatchObject({ ids: [], cursor: read.cursor });
    expect(laterStreamId('5-1', '5-0')).toBe('5-1');
    expect(laterStreamId('4-9', '10-0')).toBe('10-0');
    await Promise.all(['x1', 'x2', 'x3'].map((x) => redis.hdel(itemRecordsKey(itemRecordShard(x)), x)));
  });
});
