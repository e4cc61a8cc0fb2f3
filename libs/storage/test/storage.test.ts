import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPgPool,
  createRedis,
  dropDatabase,
  ensureDatabase,
  migrate,
  MIGRATIONS_DIR,
  pgPoolStats,
  waitForRedis,
} from '../src/index.js';

const PG_BASE = process.env.PG_TEST_URL ?? 'postgres://postgres@127.0.0.1:5432';
const dbUrl = `${PG_BASE}/feedmesh_test_${randomBytes(5).toString('hex')}`;

afterAll(async () => {
  await dropDatabase(dbUrl);
});

describe('postgres', () => {
  it('creates the database once when two processes race', async () => {
    const results = await Promise.all([ensureDatabase(dbUrl), ensureDatabase(dbUrl)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await ensureDatabase(dbUrl)).toEqual({ created: false });
  });

  it('migrates once when two processes race, and the schema is there', async () => {
    const [a, b] = await Promise.all([migrate(dbUrl), migrate(dbUrl)]);
    // One runner applied everything; the other waited for the lock and found nothing to do.
    expect([a.length, b.length].sort()).toEqual([0, [...a, ...b].length]);
    expect([...a, ...b]).toContain('0001_initial-schema');
    expect(await migrate(dbUrl)).toEqual([]);

    const pool = createPgPool({ connectionString: dbUrl, max: 2, applicationName: 'storage-test' });
    try {
      const { rows } = await pool.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      );
      expect(rows.map((r) => r.table_name)).toEqual(
        expect.arrayContaining([
          'users',
          'follows',
          'items',
          'item_stats',
          'user_author_affinity',
          'user_kind_affinity',
          'user_interests',
          'engagement_events',
        ]),
      );
      const settings = await pool.query<{ statement_timeout: string; application_name: string }>(
        `SELECT current_setting('statement_timeout') AS statement_timeout,
                current_setting('application_name') AS application_name`,
      );
      expect(settings.rows[0]).toEqual({ statement_timeout: '5s', application_name: 'storage-test' });
      expect(pgPoolStats(pool)).toMatchObject({ total: 1, idle: 1, waiting: 0 });

      // The kind check matches proto ItemKind; an unknown kind is refused.
      await pool.query(`INSERT INTO users (id, handle, display_name) VALUES ('u1', 'one', 'One')`);
      const insertItem = (kind: number) =>
        pool.query(`INSERT INTO items (kind, author_id, payload) VALUES ($1, 'u1', '{"title":"t"}') RETURNING id`, [
          kind,
        ]);
      expect((await insertItem(1)).rows[0].id).toMatch(/^[0-9a-f-]{36}$/);
      await expect(insertItem(4)).rejects.toThrow(/check constraint/);
    } finally {
      await pool.end();
    }
  });

  it('reverts the schema with the down migration', async () => {
    const all = readdirSync(MIGRATIONS_DIR).map((f) => f.replace(/\.(sql|js)$/, '')).sort();
    expect(await migrate(dbUrl, { direction: 'down', count: Infinity })).toEqual([...all].reverse());
    const client = new pg.Client({ connectionString: dbUrl });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT to_regclass('public.items') AS items`);
      expect(rows[0].items).toBeNull();
    } finally {
      await client.end();
    }
    expect(await migrate(dbUrl)).toEqual(all);
  });
});

describe('redis', () => {
  it('works against the real server', async () => {
    const redis = createRedis({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379' });
    try {
      await waitForRedis(redis);
      expect(await redis.ping()).toBe('PONG');
    } finally {
      redis.disconnect();
    }
  });

  it('fails fast instead of hanging when Redis is unreachable', async () => {
    // Port 1 on loopback: nothing listens, connections are refused.
    const redis = createRedis({ url: 'redis://127.0.0.1:1', lazyConnect: true });
    redis.on('error', () => {});
    try {
      const started = performance.now();
      await expect(redis.set('fm:test:unreachable', '1')).rejects.toThrow();
      await expect(waitForRedis(redis, 3_000)).rejects.toThrow();
      await expect(redis.get('fm:test:unreachable')).rejects.toThrow();
      // Generous bound: the point is "seconds at most", not a latency target.
      expect(performance.now() - started).toBeLessThan(4_000);
    } finally {
      redis.disconnect();
    }
  });
});
