import { randomBytes } from 'node:crypto';
import { createRedis, decodeTimelineMember, deleteFeedmeshKeys, dropDatabase, KEY_PREFIX, redisKeys, waitForRedis } from '@feedmesh/storage';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../src/index.js';

const PG_BASE = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';
const databaseUrl = `${PG_BASE}/feedmesh_test_${randomBytes(5).toString('hex')}`;
// A Redis database index reserved for this test; flushed before and after.
const redisUrl = process.env.SEED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/5';
const redis = createRedis({ url: redisUrl, lazyConnect: true, commandTimeoutMs: 10_000 });
const db = new pg.Client({ connectionString: databaseUrl });
const tiny = { users: 200, items: 2000, seed: 11, days: 3, databaseUrl, redisUrl, timelineLength: 100 };

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
  });
});
