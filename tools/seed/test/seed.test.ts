import { randomBytes } from 'node:crypto';
import {
  createPgPool,
  createRedis,
  decodeTimelineMember,
  deleteFeedmeshKeys,
  dropDatabase,
  encodeItemRecord,
  encodeTimelineMember,
  FRESH_ITEMS_MAX,
  itemRecordShard,
  itemRecordsKey,
  KEY_PREFIX,
  ItemsRepository,
  UsersRepository,
  readItemRecords,
  redisKeys,
  userReadModelKey,
  waitForRedis,
  type UserReadModelLimits,
} from '@feedmesh/storage';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../src/index.js';

const PG_BASE = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';
const databaseUrl = `${PG_BASE}/feedmesh_test_${randomBytes(5).toString('hex')}`;
// A Redis database index reserved for this test; flushed before and after.
const redisUrl = process.env.SEED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/5';
const redis = createRedis({ url: redisUrl, lazyConnect: true, commandTimeoutMs: 10_000 });
const db = new pg.Client({ connectionString: databaseUrl });
// Limits that cut some users and not others (a user follows 20..49 authors here, 6..20 of them
// with more than 59 followers, and one author has exactly 59), so the comparison with Postgres
// covers truncation, ordering, the threshold's edge and pulled authors.
const readModelLimits: UserReadModelLimits = { maxAuthorAffinities: 30, maxTopics: 3, pullThreshold: 59, maxPulledAuthors: 12 };
const tiny = { users: 200, items: 2000, seed: 11, days: 3, databaseUrl, redisUrl, timelineLength: 100, readModelLimits };

async function count(sql: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  await waitForRedis(redis);
  await deleteFeedmeshKeys(redis);
  const first = await seed(tiny);
  expect(first.seeded).toBe(true);
  await db.connect();
  expect(first.readModel).toEqual({ users: 200, userFields: expect.any(Number), itemRecords: 2000, freshItems: Math.min(FRESH_ITEMS_MAX, 2000) });
  expect(first.timingsMs['read model']).toBeGreaterThanOrEqual(0);
});

afterAll(async () => {
  await db.end().catch(() => {});
  await dropDatabase(databaseUrl);
  await deleteFeedmeshKeys(redis).catch(() => {});
  redis.disconnect();
});

describe('seed into a fresh database', () => {
  it('loads every table with consistent counts', async () => {
    expect(await count('SELECT count(*) AS n FROM users')).toBe(200);
    expect(await count('SELECT count(*) AS n FROM items')).toBe(2000);
    expect(await count('SELECT count(*) AS n FROM item_stats')).toBe(2000);
    const follows = await count('SELECT count(*) AS n FROM follows');
    expect(follows).toBeGreaterThanOrEqual(200 * 20);
    expect(await count('SELECT sum(follower_count) AS n FROM users')).toBe(follows);
    expect(await count('SELECT sum(following_count) AS n FROM users')).toBe(follows);
    expect(await count('SELECT count(*) AS n FROM user_author_affinity')).toBe(follows);
    expect(await count('SELECT count(*) AS n FROM user_kind_affinity')).toBe(600);
    expect(await count('SELECT count(DISTINCT user_id) AS n FROM user_interests')).toBe(200);
    // Foreign keys were skipped during the load; the data must satisfy them anyway.
    expect(await count('SELECT count(*) AS n FROM items i LEFT JOIN users u ON u.id = i.author_id WHERE u.id IS NULL')).toBe(0);
    expect(await count('SELECT count(*) AS n FROM follows f LEFT JOIN users u ON u.id = f.followee_id WHERE u.id IS NULL')).toBe(0);
  });

  it('has all three kinds with well-formed payloads', async () => {
    const { rows } = await db.query<{ kind: number; n: string; ok: string }>(`
      SELECT kind, count(*) AS n,
             count(*) FILTER (WHERE CASE kind
               WHEN 1 THEN payload ? 'title' AND payload ? 'body' AND payload ? 'cover_url'
               WHEN 2 THEN payload ? 'url' AND (payload->>'duration_ms')::int > 0 AND payload ? 'thumbnail_url'
               WHEN 3 THEN payload ? 'stream_url' AND (payload->>'live_status')::int BETWEEN 1 AND 3 AND payload ? 'viewers'
             END) AS ok
      FROM items GROUP BY kind ORDER BY kind`);
    expect(rows.map((r) => r.kind)).toEqual([1, 2, 3]);
    for (const row of rows) expect(row.ok).toBe(row.n);
    expect(await count(`SELECT count(*) AS n FROM items WHERE cardinality(topics) = 0`)).toBe(0);
  });

  it('has a power-law follow graph', async () => {
    const { rows } = await db.query<{ max: number; median: number }>(
      'SELECT max(follower_count) AS max, percentile_disc(0.5) WITHIN GROUP (ORDER BY follower_count) AS median FROM users',
    );
    expect(rows[0]!.max).toBeGreaterThan(8 * Math.max(1, rows[0]!.median));
  });

  it('writes timelines, author, topic and trending zsets', async () => {
    const timeline = await redis.zrevrange(redisKeys.homeTimeline('u1'), 0, -1);
    expect(timeline.length).toBeGreaterThan(0);
    expect(timeline.length).toBeLessThanOrEqual(100);
    const { rows: followed } = await db.query<{ followee_id: string }>(`SELECT followee_id FROM follows WHERE follower_id = 'u1'`);
    const followedIds = new Set(followed.map((r) => r.followee_id));
    for (const member of timeline) expect(followedIds.has(decodeTimelineMember(member).authorId)).toBe(true);

    // Each timeline member matches its row in Postgres.
    const first = decodeTimelineMember(timeline[0]!);
    const { rows } = await db.query('SELECT kind, author_id FROM items WHERE id = $1', [first.id]);
    expect(rows[0]).toEqual({ kind: first.kind, author_id: first.authorId });

    let emptyTimelines = 0;
    for (let u = 1; u <= 200; u++) if ((await redis.zcard(redisKeys.homeTimeline(`u${u}`))) === 0) emptyTimelines++;
    expect(emptyTimelines).toBe(0);
    for (const kind of [1, 2, 3]) expect(await redis.zcard(redisKeys.trending(kind))).toBeGreaterThan(0);
    const { rows: top } = await db.query<{ author_id: string; n: string }>(
      `SELECT author_id, count(*) AS n FROM items GROUP BY 1 ORDER BY 2 DESC LIMIT 1`,
    );
    expect(await redis.zcard(redisKeys.authorRecent(top[0]!.author_id))).toBe(Math.min(200, Number(top[0]!.n)));
    expect(await redis.zcard(redisKeys.topicRecent('tech'))).toBeGreaterThan(0);
  });

  it('writes a read model equal to what the read path loads from Postgres', async () => {
    const pool = createPgPool({ connectionString: databaseUrl, max: 2 });
    try {
      expect(await count(`SELECT count(*) AS n FROM users WHERE follower_count = ${readModelLimits.pullThreshold}`)).toBeGreaterThan(0);
      const sizes = { affinities: new Set<number>(), pulled: new Set<number>() };
      for (let u = 1; u <= 200; u++) {
        const id = `u${u}`;
        const loaded = await new UsersRepository(pool).readModel(id, readModelLimits);
        expect(loaded, id).toBeDefined();
        const expected: Record<string, string> = { _: '1' };
        for (let f = 0; f < loaded!.fields.length; f += 2) expected[loaded!.fields[f]!] = loaded!.fields[f + 1]!;
        expect(await redis.hgetall(userReadModelKey(id)), id).toEqual(expected);
        sizes.affinities.add(loaded!.model.authorAffinity.size);
        sizes.pulled.add(loaded!.model.pulledAuthors.length);
      }
      // The comparison above covered users cut by each limit and users under it.
      for (const [part, limit] of [['affinities', readModelLimits.maxAuthorAffinities], ['pulled', readModelLimits.maxPulledAuthors]] as const) {
        expect(sizes[part].has(limit), part).toBe(true);
        expect(Math.min(...sizes[part]), part).toBeGreaterThan(0);
        expect(Math.min(...sizes[part]), part).toBeLessThan(limit);
      }

      const { rows } = await db.query<{ id: string }>('SELECT id FROM items');
      const ids = rows.map((r) => r.id);
      const fromPostgres = await new ItemsRepository(pool).records(ids);
      const fromRedis = await readItemRecords(redis, ids);
      expect(fromRedis.size).toBe(2000);
      expect(fromRedis).toEqual(fromPostgres);
      const sample = ids[0]!;
      expect(await redis.hget(itemRecordsKey(itemRecordShard(sample)), sample)).toBe(encodeItemRecord(fromPostgres.get(sample)!));

      const { rows: newest } = await db.query<{ id: string; kind: number; author_id: string; ms: number }>(
        `SELECT id, kind, author_id, floor(extract(epoch FROM created_at) * 1000)::float8 AS ms
         FROM items WHERE status = 1 ORDER BY created_at DESC, id DESC LIMIT $1`,
        [FRESH_ITEMS_MAX],
      );
      const fresh = await redis.zrevrange(redisKeys.freshItems(), 0, -1, 'WITHSCORES');
      const expectedFresh = newest.flatMap((r) => [encodeTimelineMember({ id: r.id, kind: r.kind, authorId: r.author_id }), String(r.ms)]);
      expect(fresh).toEqual(expectedFresh);
    } finally {
      await pool.end();
    }
  });

  it('leaves existing data alone with ifEmpty, refuses without it, replaces it with reset', async () => {
    const skipped = await seed({ ...tiny, ifEmpty: true, seed: 99 });
    expect(skipped.seeded).toBe(false);
    await expect(seed({ ...tiny, seed: 99 })).rejects.toThrow(/--reset/);

    await redis.set(`${KEY_PREFIX}stale-key`, 'x');
    const replaced = await seed({ ...tiny, users: 150, items: 500, reset: true });
    expect(replaced.seeded).toBe(true);
    expect(await count('SELECT count(*) AS n FROM users')).toBe(150);
    expect(await count('SELECT count(*) AS n FROM items')).toBe(500);
    expect(await redis.exists(`${KEY_PREFIX}stale-key`)).toBe(0);
    expect(await redis.zcard(redisKeys.homeTimeline('u151'))).toBe(0);
    expect(await redis.exists(userReadModelKey('u151'))).toBe(0);
    expect(await redis.hlen(userReadModelKey('u150'))).toBeGreaterThan(1);
  });
});
