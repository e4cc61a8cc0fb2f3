// Render over real gRPC against a fresh Postgres database and Redis db 9.
import path from 'node:path';
import { Code, ConnectError } from '@connectrpc/connect';
import { ItemKind, LiveStatus, MissingReason, RenderService } from '@feedmesh/contracts';
import { createServiceClient, spawnApp, type ServiceClient, type SpawnedApp } from '@feedmesh/service-kit';
import { deleteFeedmeshKeys, dropDatabase, ensureDatabase, migrate, redisKeys } from '@feedmesh/storage';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invalidateRenderedCards } from '../src/cache/invalidate-rendered-cards.js';

const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/feedmesh_test_render_${process.pid}_${Date.now()}`;
const REDIS_URL = 'redis://127.0.0.1:6379/9';
const entry = path.join(__dirname, '../dist/main.js');

const ids = {
  hero: '00000000-0000-4000-8000-000000000001',
  compact: '00000000-0000-4000-8000-000000000002',
  video: '00000000-0000-4000-8000-000000000003',
  onAir: '00000000-0000-4000-8000-000000000004',
  upcoming: '00000000-0000-4000-8000-000000000005',
  deleted: '00000000-0000-4000-8000-000000000006',
  doomed: '00000000-0000-4000-8000-000000000007',
  missing: '00000000-0000-4000-8000-0000000000ff',
};
const startedAt = '2026-05-01T12:00:00.000Z';
const longBody = Array.from({ length: 60 }, (_, i) => `Sentence number ${i} of the body says something.`).join(' ');

let pool: pg.Pool;
let redis: Redis;
let app: SpawnedApp;
let client: ServiceClient<typeof RenderService>;

async function insertItem(id: string, kind: number, payload: object, status = 1) {
  await pool.query(
    `INSERT INTO items (id, kind, author_id, created_at, status, payload) VALUES ($1, $2, 'author1', $3, $4, $5)`,
    [id, kind, '2026-05-01T10:00:00Z', status, JSON.stringify(payload)],
  );
}

beforeAll(async () => {
  await ensureDatabase(DATABASE_URL);
  await migrate(DATABASE_URL);
  pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  redis = new Redis(REDIS_URL);
  await deleteFeedmeshKeys(redis);
  await pool.query(`INSERT INTO users (id, handle, display_name) VALUES ('author1', 'author1', 'Author One')`);
  await insertItem(ids.hero, 1, { title: 'Hero', body: longBody, cover_url: 'https://example.com/c.jpg' });
  await insertItem(ids.compact, 1, { title: 'Compact', body: 'Short body. Two sentences.', cover_url: '' });
  await insertItem(ids.video, 2, { title: 'Clip', url: 'https://example.com/v.m3u8', duration_ms: 42_000, thumbnail_url: 'https://example.com/t.jpg' });
  await insertItem(ids.onAir, 3, { title: 'On air', stream_url: 'https://example.com/l.m3u8', live_status: 2, viewers: 1234, started_at: startedAt });
  await insertItem(ids.upcoming, 3, { title: 'Soon', stream_url: 'https://example.com/s.m3u8', live_status: 1, viewers: 0, started_at: null });
  await insertItem(ids.deleted, 1, { title: 'Gone', body: 'x', cover_url: '' }, 2);
  await insertItem(ids.doomed, 2, { title: 'Doomed', url: 'https://example.com/d.m3u8', duration_ms: 1_000, thumbnail_url: '' });
  app = await spawnApp(entry, { DATABASE_URL, REDIS_URL, MIGRATE_ON_START: 'false', RENDER_MEMORY_CACHE_TTL_MS: '1000' }, { name: 'render' });
  client = createServiceClient(RenderService, { address: app.address, defaultTimeoutMs: 10_000, maxRetries: 0 });
});

afterAll(async () => {
  client?.close();
  await app?.stop();
  if (redis) await deleteFeedmeshKeys(redis);
  redis?.disconnect();
  await pool?.end();
  await dropDatabase(DATABASE_URL);
});

const batch = [ids.hero, ids.missing, ids.compact, ids.video, ids.deleted, ids.onAir, ids.upcoming];

async function metricSum(metric: string, label: string): Promise<number> {
  const text = await (await fetch(`http://${app.address}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${metric}{`) && line.includes(label)) total += Number(line.split(' ').pop());
  }
  return total;
}

const cardsServed = (assetLoaded: boolean) => metricSum('render_cards_total', `asset_loaded="${assetLoaded}"`);

/** Distinct ids answered by each cache layer (and Postgres) during `call`. */
async function lookupsDuring(call: () => Promise<unknown>): Promise<Record<'memory' | 'redis' | 'postgres', number>> {
  const layers = ['memory', 'redis', 'postgres'] as const;
  const before = await Promise.all(layers.map((layer) => metricSum('render_card_lookups_total', `layer="${layer}"`)));
  await call();
  const after = await Promise.all(layers.map((layer) => metricSum('render_card_lookups_total', `layer="${layer}"`)));
  return { memory: after[0]! - before[0]!, redis: after[1]! - before[1]!, postgres: after[2]! - before[2]! };
}

describe('Render', () => {
  it('renders a mixed batch into typed cards in request order and reports missing items', async () => {
    const res = await client.render({ itemIds: batch });
    expect(res.items.map((i) => i.id)).toEqual([ids.hero, ids.compact, ids.video, ids.onAir, ids.upcoming]);
    expect(res.items.map((i) => `${i.template?.id}@${i.template?.version}`)).toEqual([
      'article.hero@2',
      'article.compact@1',
      'video.inline@1',
      'live.badge@1',
      'live.upcoming@1',
    ]);
    const [hero, compact, video, onAir, upcoming] = res.items;
    expect(hero!.kind).toBe(ItemKind.ARTICLE);
    expect(hero!.authorId).toBe('author1');
    expect(hero!.createdAt?.seconds).toBe(BigInt(Date.parse('2026-05-01T10:00:00Z') / 1000));
    expect(hero!.card.case).toBe('article');
    if (hero!.card.case === 'article') {
      expect(hero!.card.value.coverUrl).toBe('https://example.com/c.jpg');
      expect(hero!.card.value.excerpt.length).toBeLessThanOrEqual(280);
      expect(hero!.card.value.excerpt).toMatch(/^Sentence number 0 .*\.$/);
      expect(hero!.card.value.readingTimeS).toBe(Math.ceil((60 * 8 * 60) / 230));
    }
    expect(compact!.card.case === 'article' && compact!.card.value.excerpt).toBe('Short body. Two sentences.');
    expect(video!.card).toMatchObject({ case: 'video', value: { title: 'Clip', durationMs: 42_000, streamUrl: 'https://example.com/v.m3u8' } });
    expect(onAir!.card).toMatchObject({ case: 'live', value: { status: LiveStatus.LIVE, viewers: 1234 } });
    if (onAir!.card.case === 'live') expect(onAir!.card.value.startedAt?.seconds).toBe(BigInt(Date.parse(startedAt) / 1000));
    expect(upcoming!.card).toMatchObject({ case: 'live', value: { status: LiveStatus.SCHEDULED, viewers: 0 } });
    expect(upcoming!.card.case === 'live' && upcoming!.card.value.startedAt).toBeUndefined();
    for (const item of res.items) expect(item.score).toBe(0);
    expect(res.missing.map((m) => [m.itemId, m.reason])).toEqual([
      [ids.missing, MissingReason.NOT_FOUND],
      [ids.deleted, MissingReason.DELETED],
    ]);
  });

  it('serves the second call from memory, missing ids included, and Redis holds the cards with their TTLs', async () => {
    const fromCacheBefore = await cardsServed(false);
    let res: Awaited<ReturnType<typeof client.render>> | undefined;
    expect(await lookupsDuring(async () => (res = await client.render({ itemIds: batch })))).toEqual({ memory: 7, redis: 0, postgres: 0 });
    expect(res!.items).toHaveLength(5);
    expect(res!.missing).toHaveLength(2);
    expect((await cardsServed(false)) - fromCacheBefore).toBe(5);
    expect(await redis.exists(redisKeys.renderedCard(ids.hero))).toBe(1);
    // Negative entries live shorter than cards, live cards shorter than articles.
    const missingTtl = await redis.pttl(redisKeys.renderedCard(ids.missing));
    const liveTtl = await redis.pttl(redisKeys.renderedCard(ids.onAir));
    const articleTtl = await redis.pttl(redisKeys.renderedCard(ids.hero));
    expect(missingTtl).toBeGreaterThan(0);
    expect(missingTtl).toBeLessThanOrEqual(33_000);
    expect(liveTtl).toBeLessThanOrEqual(16_500);
    expect(articleTtl).toBeGreaterThan(200_000);
  });

  it('reads Redis again once the memory TTL is over, and memory after that', async () => {
    await new Promise((r) => setTimeout(r, 1_100)); // RENDER_MEMORY_CACHE_TTL_MS=1000 above
    expect(await lookupsDuring(() => client.render({ itemIds: batch }))).toEqual({ memory: 0, redis: 7, postgres: 0 });
    expect(await lookupsDuring(() => client.render({ itemIds: batch }))).toEqual({ memory: 7, redis: 0, postgres: 0 });
  });

  it('rebuilds a card after the write path invalidates it', async () => {
    await pool.query(`UPDATE items SET payload = jsonb_set(payload, '{title}', '"Hero, edited"') WHERE id = $1`, [ids.hero]);
    const stale = await client.render({ itemIds: [ids.hero] });
    expect(stale.items[0]!.card.value?.title).toBe('Hero');
    expect(await invalidateRenderedCards(redis, [ids.hero.toUpperCase()])).toBe(1);
    const fresh = await client.render({ itemIds: [ids.hero] });
    expect(fresh.items[0]!.card.value?.title).toBe('Hero, edited');
  });

  it('reports an item the write path deleted at once, although memory held its card', async () => {
    expect((await client.render({ itemIds: [ids.doomed] })).items).toHaveLength(1);
    expect(await lookupsDuring(() => client.render({ itemIds: [ids.doomed] }))).toMatchObject({ memory: 1 });
    await pool.query(`UPDATE items SET status = 2 WHERE id = $1`, [ids.doomed]);
    // What the timelines repository's unindex does: DEL the card key (Redis reports it to render's memory layer).
    expect(await redis.del(redisKeys.renderedCard(ids.doomed))).toBe(1);
    const res = await client.render({ itemIds: [ids.doomed] });
    expect(res.items).toHaveLength(0);
    expect(res.missing.map((m) => [m.itemId, m.reason])).toEqual([[ids.doomed, MissingReason.DELETED]]);
  });

  it('accepts upper-case ids and repeats', async () => {
    const res = await client.render({ itemIds: [ids.video.toUpperCase(), ids.video] });
    expect(res.items.map((i) => i.id)).toEqual([ids.video, ids.video]);
  });

  it('rejects bad input with InvalidArgument naming the field', async () => {
    const invalid = async (itemIds: string[], field: string) => {
      const error = await client.render({ itemIds }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectError);
      expect((error as ConnectError).code).toBe(Code.InvalidArgument);
      expect((error as ConnectError).rawMessage).toContain(field);
    };
    await invalid([], 'item_ids');
    await invalid(Array.from({ length: 501 }, () => ids.hero), 'item_ids');
    await invalid([ids.hero, 'not-a-uuid'], 'item_ids[1]');
  });
});

describe('Render without Redis', () => {
  let cacheless: SpawnedApp;

  beforeAll(async () => {
    // Nothing listens on port 1: every cache read and write fails at once.
    cacheless = await spawnApp(
      entry,
      { DATABASE_URL, REDIS_URL: 'redis://127.0.0.1:1', MIGRATE_ON_START: 'false', RENDER_MEMORY_CACHE_TTL_MS: '1000' },
      { name: 'render-no-redis' },
    );
  });

  afterAll(async () => {
    await cacheless?.stop();
  });

  it('renders from Postgres', async () => {
    const noCacheClient = createServiceClient(RenderService, { address: cacheless.address, defaultTimeoutMs: 5_000, maxRetries: 0 });
    try {
      for (let i = 0; i < 2; i++) {
        const res = await noCacheClient.render({ itemIds: batch });
        expect(res.items).toHaveLength(5);
        expect(res.missing).toHaveLength(2);
      }
      const ready = await fetch(`http://${cacheless.address}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      noCacheClient.close();
    }
  });

  it('serves an edit no later than the memory TTL when no invalidation can reach it', async () => {
    const noCacheClient = createServiceClient(RenderService, { address: cacheless.address, defaultTimeoutMs: 5_000, maxRetries: 0 });
    const title = async () => (await noCacheClient.render({ itemIds: [ids.compact] })).items[0]!.card.value?.title;
    const memoryTtlIsOver = () => new Promise((r) => setTimeout(r, 1_100)); // RENDER_MEMORY_CACHE_TTL_MS=1000 above
    try {
      await memoryTtlIsOver();
      expect(await title()).toBe('Compact'); // from Postgres, kept in memory for 1 s
      await pool.query(`UPDATE items SET payload = jsonb_set(payload, '{title}', '"Compact, edited"') WHERE id = $1`, [ids.compact]);
      expect(await title()).toBe('Compact'); // from memory
      await memoryTtlIsOver();
      expect(await title()).toBe('Compact, edited');
    } finally {
      noCacheClient.close();
    }
  });
});
