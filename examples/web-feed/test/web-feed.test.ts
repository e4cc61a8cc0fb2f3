// The example end to end in a real browser: recall, ranking, render, aggregator and ingest (its
// outbox worker on, so a publish fans out) spawned from their dist with authentication on, as
// npm start runs them, against a database of this file's own and Redis db 3 (this run's key
// prefix); the BFF from its dist beside them with a service token; Debian's Chromium driven by
// playwright-core. Screenshots land in test-output/screenshots/
// (CI keeps that folder as artifacts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ACT_AS_USER_SCOPE, mintServiceToken } from '@feedmesh/identity';
import { seed } from '@feedmesh/seed';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import { createPgPool, deleteFeedmeshKeys, dropDatabase, redisKeys } from '@feedmesh/storage';
import { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedPageJson } from '../src/api-types.js';

const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_webfeed_${randomBytes(4).toString('hex')}`;
const redisUrl = 'redis://127.0.0.1:6379/3';
const userCount = 24;
const root = path.join(__dirname, '..', '..', '..');
const entryOf = (app: string) => path.join(root, 'apps', app, 'dist', 'main.js');
const bffEntry = path.join(__dirname, '..', 'dist', 'main.js');
const screenshotDir = path.join(__dirname, '..', 'test-output', 'screenshots');
const chromiumPath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** Every wait in a browser step is bounded by this. */
const stepTimeoutMs = 10_000;

const LIKE = 2;
const HIDE = 4;
const VIEW = 1;

/**
 * Authentication on, as `npm start` runs the mesh: the aggregator and ingest verify JWTs signed
 * with the edge secret, the apps prove themselves to each other with peer tokens.
 */
const authSecret = randomBytes(32).toString('hex');
const identityEnv = { AUTH_MODE: 'jwt', AUTH_TOKEN_SECRET: authSecret, MESH_AUTH: 'token', MESH_TOKEN_SECRET: randomBytes(32).toString('hex') };

/**
 * The BFF's environment, the one place a test setting for it goes. Its FEEDMESH_TOKEN is a
 * service token with scope act_as_user: it acts for the logged-in user in every request.
 */
async function bffEnv(aggregator: SpawnedApp, ingest: SpawnedApp): Promise<Record<string, string>> {
  return {
    AGGREGATOR_URL: `http://${aggregator.address}`,
    INGEST_URL: `http://${ingest.address}`,
    COOKIE_SECRET: randomBytes(32).toString('hex'),
    DEMO_USERS: String(userCount),
    ENGAGEMENT_MAX_DELAY_MS: '200',
    LOG_LEVEL: 'warn',
    FEEDMESH_TOKEN: await mintServiceToken(authSecret, 'web-feed', [ACT_AS_USER_SCOPE]),
  };
}

let apps: SpawnedApp[] = [];
let ranking: SpawnedApp;
let bff: SpawnedApp;
let baseUrl: string;
let redis: Redis;
let pool: Pool;
let browser: Browser;
/** Seeded users, longest home timeline first. */
let users: string[];

beforeAll(async () => {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: apt-get install chromium (Debian's package), or set CHROMIUM_PATH`);
  mkdirSync(screenshotDir, { recursive: true });
  redis = new Redis(redisUrl);
  await deleteFeedmeshKeys(redis);
  await seed({ databaseUrl, redisUrl, users: userCount, items: 1_200, seed: 47, days: 2, timelineLength: 300, nowMs: Date.now() - 60_000 });
  const sizes = await Promise.all(Array.from({ length: userCount }, async (_, i) => [`u${i + 1}`, await redis.zcard(redisKeys.homeTimeline(`u${i + 1}`))] as const));
  users = sizes.sort((a, b) => b[1] - a[1]).map(([u]) => u);
  pool = createPgPool({ connectionString: databaseUrl, max: 2 });
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn', OTEL_TRACES_EXPORTER: 'none', ...identityEnv };
  const spawn = (app: string, extra: Record<string, string> = {}) => spawnApp(entryOf(app), { ...env, ...extra }, { name: app, timeoutMs: 30_000 });
  const [recall, rankingApp, render] = await Promise.all([spawn('recall'), spawn('ranking'), spawn('render')]);
  ranking = rankingApp;
  apps = [recall, ranking, render];
  const [aggregator, ingest] = await Promise.all([
    spawn('aggregator', { RECALL_ADDR: recall.address, RANKING_ADDR: ranking.address, RENDER_ADDR: render.address, CURSOR_SECRETS: 'web-feed-test-cursor-secret' }),
    spawn('ingest', { INGEST_RUN_WORKER: 'true' }),
  ]);
  apps.push(aggregator, ingest);
  bff = await spawnApp(bffEntry, await bffEnv(aggregator, ingest), { name: 'web-feed', timeoutMs: 15_000 });
  apps.push(bff);
  baseUrl = `http://${bff.address}`;
  // Cold processes compile on their first requests: warm the read path so the pages the browser
  // asks for are inside the aggregator's budget (as npm start does).
  const getFeed = (headers: Record<string, string>, userId: string) =>
    fetch(`http://${aggregator.address}/feedmesh.feed.v1.FeedService/GetFeed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'connect-timeout-ms': '5000', ...headers },
      body: JSON.stringify({ userId, pageSize: 20 }),
    });
  // Authentication is on: without a token, the aggregator refuses (so the BFF's token is what lets it in).
  expect((await getFeed({}, users[0]!)).status).toBe(401);
  const warmUpToken = await mintServiceToken(authSecret, 'warm-up', [ACT_AS_USER_SCOPE]);
  for (let i = 0; i < 20; i++) {
    const response = await getFeed({ authorization: `Bearer ${warmUpToken}` }, users[userCount - 1 - (i % 8)]!);
    expect(response.status, await response.text()).toBe(200);
  }
  browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: 30_000,
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  // The BFF first: it flushes its engagement to an ingest that is still up.
  await bff?.stop();
  await Promise.all(apps.filter((a) => a !== bff).map((a) => a.stop()));
  await pool?.end();
  if (redis) await deleteFeedmeshKeys(redis);
  redis?.disconnect();
  await dropDatabase(databaseUrl);
});

/** A fresh browser context (its own cookies) with the pages /api/feed answered, in order. */
async function openAs(userId: string): Promise<{ context: BrowserContext; page: Page; feedPages: FeedPageJson[] }> {
  const context = await browser.newContext({ viewport: { width: 900, height: 1000 } });
  // Nothing beyond the BFF: the page must not reach the internet (there is none here anyway).
  const offsite: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(baseUrl) || url.startsWith('data:')) return route.continue();
    offsite.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  page.setDefaultTimeout(stepTimeoutMs);
  const feedPages: FeedPageJson[] = [];
  page.on('response', async (response) => {
    if (new URL(response.url()).pathname === '/api/feed' && response.ok()) feedPages.push((await response.json()) as FeedPageJson);
  });
  await page.goto(baseUrl);
  await page.locator('#login-user').selectOption(userId);
  await page.locator('#login-form button[type=submit]').click();
  await page.locator('#user-name', { hasText: userId }).waitFor();
  await page.locator('#feed > li.card').first().waitFor();
  expect(offsite).toEqual([]);
  return { context, page, feedPages };
}

const cardIds = (page: Page) => page.locator('#feed > li.card').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-id')!));
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = stepTimeoutMs): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

const countEvents = async (userId: string, type: number, itemId?: string) => {
  const { rows } = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM engagement_events WHERE user_id = $1 AND type = $2 ${itemId ? 'AND item_id = $3' : ''}`,
    itemId ? [userId, type, itemId] : [userId, type],
  );
  return Number(rows[0]!.n);
};

describe('web-feed in Chromium', () => {
  let reader: string;
  let context: BrowserContext;
  let page: Page;
  let feedPages: FeedPageJson[];
  /** The follower's browser, left open by the publish step for the degraded one. */
  let follower: Awaited<ReturnType<typeof openAs>> | undefined;

  it('logs in and shows at least 20 cards of at least two kinds, each drawn as its kind', async () => {
    reader = users[0]!;
    ({ context, page, feedPages } = await openAs(reader));
    await poll(() => page.locator('#feed > li.card').count(), (n) => n >= 20);
    const kinds = await page.locator('#feed > li.card').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-kind')!));
    expect(kinds.length).toBeGreaterThanOrEqual(20);
    expect(new Set(kinds).size, kinds.join(',')).toBeGreaterThanOrEqual(2);
    // Drawn as what the BFF served, in its order.
    expect(kinds.slice(0, feedPages[0]!.cards.length)).toEqual(feedPages[0]!.cards.map((c) => c.kind));
    expect(await page.locator('#degraded').isVisible()).toBe(false);
    expect(feedPages[0]!.degraded, feedPages[0]!.degradedReasons.join(', ')).toBe(false);

    // Each kind with its parts: article title + excerpt (+ cover), video thumbnail + duration, live badge + viewers.
    for (const article of await page.locator('li.card--article').all()) {
      expect((await article.locator('h3.title').textContent())!.length).toBeGreaterThan(0);
      expect(await article.locator('p.excerpt').count()).toBe(1);
    }
    const articleCards = feedPages[0]!.cards.filter((c) => c.kind === 'article');
    const withCover = articleCards.filter((c) => c.kind === 'article' && c.coverUrl !== '').map((c) => c.id);
    for (const id of withCover) expect(await page.locator(`li[data-id="${id}"] .media img`).count()).toBe(1);
    for (const video of await page.locator('li.card--video').all()) {
      expect(await video.locator('.media img').count()).toBe(1);
      expect(await video.locator('.duration').textContent()).toMatch(/^\d+:\d\d(:\d\d)?$/);
    }
    for (const live of await page.locator('li.card--live').all()) {
      expect(await live.locator('.live-badge').textContent()).toMatch(/^(LIVE|SCHEDULED|ENDED)$/);
      expect(await live.locator('.viewers').textContent()).toMatch(/^[\d.]+[KM]? watching$/);
    }
    await shot(page, '1-feed');
  });

  it('scrolls to a third page through the cursors, with no card twice', async () => {
    for (let i = 0; i < 30 && feedPages.length < 3; i++) {
      await page.mouse.wheel(0, 4_000);
      await sleep(150);
    }
    expect(feedPages.length).toBeGreaterThanOrEqual(3);
    // The mesh's pages: the cursor carried, no id served twice (the page would hide a duplicate).
    const served = feedPages.slice(0, 3).flatMap((p) => p.cards.map((c) => c.id));
    expect(served.length).toBeGreaterThanOrEqual(41);
    expect(new Set(served).size).toBe(served.length);
    expect(feedPages.slice(0, 2).every((p) => p.nextCursor !== '')).toBe(true);
    const ids = await poll(() => cardIds(page), (list) => list.length >= served.length);
    expect(ids.length).toBeGreaterThanOrEqual(served.length);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, served.length)).toEqual(served);
    await shot(page, '2-third-page');
  });

  it('a like is stored as a LIKE of the user; a hide takes the card away and is stored; impressions are VIEWs', async () => {
    const [likedId, hiddenId] = await cardIds(page);
    const liked = page.locator(`li[data-id="${likedId}"]`);
    await liked.scrollIntoViewIfNeeded();
    expect(await countEvents(reader, LIKE, likedId)).toBe(0);
    await liked.locator('button.like').click();
    expect(await liked.locator('button.like').getAttribute('aria-pressed')).toBe('true');
    expect(await poll(() => countEvents(reader, LIKE, likedId), (n) => n > 0)).toBe(1);

    await page.locator(`li[data-id="${hiddenId}"] button.hide`).click();
    expect(await page.locator(`li[data-id="${hiddenId}"]`).count()).toBe(0);
    expect(await poll(() => countEvents(reader, HIDE, hiddenId), (n) => n > 0)).toBe(1);
    await shot(page, '3-liked');

    // The cards that were on screen for a second were reported (page queue 3 s, BFF batch 200 ms).
    expect(await poll(() => countEvents(reader, VIEW), (n) => n > 0)).toBeGreaterThan(0);
    await context.close();
  });

  it('an article published by one user shows up in a follower’s feed', async () => {
    // A author and a follower of theirs among the demo users (not the reader, whose events are above).
    const { rows } = await pool.query<{ author: string; follower: string }>(
      `SELECT followee_id AS author, follower_id AS follower FROM follows
        WHERE followee_id = ANY($1) AND follower_id = ANY($1) AND follower_id <> $2 ORDER BY followee_id, follower_id LIMIT 1`,
      [users, reader],
    );
    expect(rows).toHaveLength(1);
    const { author, follower: followerId } = rows[0]!;

    const a = await openAs(author);
    const title = `Hello from ${author} ${randomBytes(3).toString('hex')}`;
    await a.page.locator('#publish-title').fill(title);
    await a.page.locator('#publish-body').fill('Posted from the web-feed example in a real browser.');
    await a.page.locator('#publish-form button[type=submit]').click();
    await a.page.locator('#publish-status', { hasText: 'Published.' }).waitFor();
    const itemId = await a.page.locator('#publish-status').getAttribute('data-item-id');
    expect(itemId).toMatch(/^[0-9a-f-]{36}$/);
    await shot(a.page, '4-published');
    await a.context.close();

    const b = await openAs(followerId);
    // A fresh first page puts a followed author's new post first (in-network freshness); the fan-out
    // runs in ingest's outbox worker, so reload until it is there (bounded).
    const found = await poll(
      async () => {
        if ((await b.page.locator(`li[data-id="${itemId}"]`).count()) > 0) return true;
        await b.page.reload();
        await b.page.locator('#feed > li.card').first().waitFor();
        return (await b.page.locator(`li[data-id="${itemId}"]`).count()) > 0;
      },
      (ok) => ok,
      15_000,
    );
    expect(found, `${title} (${itemId}) not in ${followerId}'s feed`).toBe(true);
    const card = b.page.locator(`li[data-id="${itemId}"]`);
    expect(await card.locator('h3.title').textContent()).toBe(title);
    expect(await card.getAttribute('data-kind')).toBe('article');
    expect(await card.locator('.meta').textContent()).toContain(`by ${author}`);
    await card.scrollIntoViewIfNeeded();
    await shot(b.page, '5-follower-sees-post');
    follower = b;
  });

  it('ranking stops: the next page is served degraded, and the page says so', async () => {
    const b = follower!;
    // Ranking stops: the next page is served by the fallback, and the page says so.
    expect(await b.page.locator('#degraded').isVisible()).toBe(false);
    await ranking.stop();
    await b.page.reload();
    await b.page.locator('#feed > li.card').first().waitFor();
    await b.page.locator('#degraded').waitFor({ state: 'visible' });
    expect(await b.page.locator('#degraded').textContent()).toMatch(/Degraded feed\.[\s\S]*\(ranking: [a-z_]+/);
    expect(await b.page.locator('#feed > li.card').count()).toBeGreaterThanOrEqual(20);
    await b.page.mouse.wheel(0, -100_000);
    await shot(b.page, '6-degraded');
    await b.context.close();
    follower = undefined;
  });
});
