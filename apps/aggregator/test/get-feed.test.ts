// GetFeed end to end: the four apps spawned from dist, real Postgres and Redis (db 10).
import { randomBytes, randomUUID } from 'node:crypto';
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError } from '@connectrpc/connect';
import { ExplainOutcome, FeedService, type FeedItem, type GetFeedResponse } from '@feedmesh/contracts';
import { encodeCursor, HybridLogicalClock } from '@feedmesh/feed-core';
import { createServiceClient, errorOf, spawnApp } from '@feedmesh/service-kit';
import { encodeTimelineMember, redisKeys } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commonEnv, cursorSecret, entryOf, type Mesh } from './feed-mesh.js';
import { startOtlpCollector, type OtlpCollector } from './otlp-collector.js';
import { startTestWorld, type TestWorld } from './test-world.js';

const pageSize = 20;
/** Generous: these tests check behaviour, not speed, and the first calls warm up the apps. */
const timeoutMs = 5_000;

let collector: OtlpCollector;
let world: TestWorld;
let databaseUrl: string;
let redisUrl: string;
let mesh: Mesh;
let feed: TestWorld['feed'];
let redis: TestWorld['redis'];
let pool: TestWorld['pool'];
/** The reader with the longest home timeline, and someone else. */
let userId: string;
let otherUserId: string;

beforeAll(async () => {
  collector = await startOtlpCollector();
  world = await startTestWorld({
    name: 'agg',
    redisDb: 10,
    seed: { users: 40, items: 3_000, seed: 11, days: 3, timelineLength: 800, nowMs: Date.now() - 60_000 },
    otlpEndpoint: collector.endpoint,
  });
  ({ databaseUrl, redisUrl, mesh, feed, redis, pool } = world);
  [userId, otherUserId] = world.users as [string, string];
});

afterAll(async () => {
  await world?.close();
  await collector?.close();
});

const getFeed = (init: { userId?: string; cursor?: string; pageSize?: number; debug?: boolean; feedId?: string }) =>
  feed.getFeed(
    { userId: init.userId ?? userId, pageSize: init.pageSize ?? pageSize, cursor: init.cursor ?? '', debug: init.debug ?? false, feedId: init.feedId ?? '' },
    { timeoutMs },
  );

async function codeOf(promise: Promise<unknown>): Promise<Code | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof ConnectError ? error.code : undefined;
  }
  return undefined;
}

const ids = (r: GetFeedResponse) => r.items.map((i) => i.id);

/**
 * What ranking's greedy diversity guarantees within a page (a page is a slice of one ranking's
 * diversified order, fresh or stored with the session): the ranking's in-network selector merges
 * the in-network queue (recalled by "following": its fresh posts first, newest first, then by
 * score) with the out-of-network queue (by score) by quota, so within each queue an item placed
 * after a better one was there because the better one would have broken a run limit at that slot
 * (3 of a kind, 2 by one author — ranking's defaults).
 */
function expectDiversifiedOrder(items: readonly FeedItem[], before: readonly FeedItem[] = [], nowMs = Date.now()) {
  const freshMs = 60 * 60_000; // the shipped model's inNetwork.freshMinutes
  const queue = (item: FeedItem) =>
    !item.sources.includes('following') ? 'out' : nowMs - timestampMs(item.createdAt!) <= freshMs ? 'in-fresh' : 'in';
  // Queue order: fresh in-network posts before the other in-network ones, newest first among them.
  const better = (a: FeedItem, b: FeedItem) => {
    const qa = queue(a);
    const qb = queue(b);
    if (qa === 'out' || qb === 'out') return qa === qb && a.score > b.score;
    if (qa !== qb) return qa === 'in-fresh';
    return qa === 'in-fresh' ? timestampMs(a.createdAt!) > timestampMs(b.createdAt!) : a.score > b.score;
  };
  // The runs at the page's first slot continue those of the items before it in the same ranking.
  const all = [...before, ...items];
  let kindRun = 0;
  let authorRun = 0;
  for (let i = 0; i < all.length; i++) {
    const prev = all[i - 1];
    if (i >= before.length) {
      for (let j = i + 1; j < all.length; j++) {
        if (!better(all[j]!, all[i]!)) continue;
        const blocked = prev !== undefined && ((kindRun >= 3 && all[j]!.kind === prev.kind) || (authorRun >= 2 && all[j]!.authorId === prev.authorId));
        expect(blocked, `item ${j} (score ${all[j]!.score}) outranks item ${i} (score ${all[i]!.score}) without a run limit in the way`).toBe(true);
      }
    }
    kindRun = prev && all[i]!.kind === prev.kind ? kindRun + 1 : 1;
    authorRun = prev && all[i]!.authorId === prev.authorId ? authorRun + 1 : 1;
  }
}

describe('GetFeed', () => {
  it('serves 10 pages without duplicates, with every kind, diversified score order and a session in debug', async () => {
    const seen = new Set<string>();
    const cases = new Set<string>();
    let previousPage: FeedItem[] = [];
    let cursor = '';
    for (let page = 1; page <= 10; page++) {
      const response = await getFeed({ cursor, debug: true });
      expect(response.items).toHaveLength(pageSize);
      expect(response.degraded, response.degradedReasons.join(', ')).toBe(false);
      for (const item of response.items) {
        expect(seen.has(item.id), `item ${item.id} served twice (page ${page})`).toBe(false);
        seen.add(item.id);
        cases.add(item.card.case ?? 'none');
        expect(item.sources.length).toBeGreaterThan(0);
      }
      const fromWindow = response.debug?.stages.some((s) => s.stage === 'session-window') ?? false;
      expectDiversifiedOrder(response.items, fromWindow ? previousPage : []);
      previousPage = response.items;
      expect(response.debug?.sessionId).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.debug?.modelVersion).not.toBe('');
      const stages = response.debug?.stages.map((s) => s.stage) ?? [];
      expect(stages).toEqual(expect.arrayContaining(['session', 'render']));
      if (page === 1 || stages.includes('ranking')) {
        // A fresh ranking: recall and ranking ran, and their debug output is there.
        expect(stages).toEqual(expect.arrayContaining(['recall', 'ranking']));
        expect(response.debug?.stages.find((s) => s.stage === 'recall')?.budgetMs).toBeGreaterThan(0);
        expect(response.debug?.sources.length).toBeGreaterThan(0);
      } else {
        // Later pages read the ranking stored with the session: no recall, no ranking.
        expect(stages).toContain('session-window');
        expect(stages).not.toContain('recall');
      }
      if (page === 2) expect(stages).toContain('session-window');
      // Breakdowns of a debug session's window are kept with it.
      expect(response.debug?.scores.length).toBe(pageSize);
      expect(response.nextCursor).not.toBe('');
      cursor = response.nextCursor;
    }
    expect(seen.size).toBe(10 * pageSize);
    expect([...cases].sort()).toEqual(['article', 'live', 'video']);
  });

  it('rejects bad input naming the field, and unknown users as NotFound', async () => {
    expect(await codeOf(getFeed({ userId: '' }))).toBe(Code.InvalidArgument);
    const pageSizeError = await errorOf(getFeed({ pageSize: 101 }));
    expect(pageSizeError.code).toBe(Code.InvalidArgument);
    expect(pageSizeError.message).toMatch(/page_size/);
    // No users row can have this id (Postgres cannot even store U+0000): refused before any lookup,
    // not served as a degraded page.
    const nulError = await errorOf(getFeed({ userId: 'u1\u0000x' }));
    expect(nulError.code).toBe(Code.InvalidArgument);
    expect(nulError.message).toMatch(/user_id/);
    const unknown = await errorOf(getFeed({ userId: 'nobody-here' }));
    expect(unknown.code).toBe(Code.NotFound);
    expect(unknown.message).toMatch(/user_id/);
  });

  it('checks the user of a forged cursor: a valid signature does not skip the users check', async () => {
    // Signed with the aggregator's own key, as anyone holding a leaked (or built-in) key could.
    const forged = encodeCursor({ sessionId: randomUUID(), userId: 'nobody-here', feedId: 'for-you', hlc: new HybridLogicalClock().tick() }, [cursorSecret]);
    expect(await codeOf(getFeed({ userId: 'nobody-here', cursor: forged }))).toBe(Code.NotFound);
    // A real user's forged cursor names no stored session: start over.
    const forgedReal = encodeCursor({ sessionId: randomUUID(), userId, feedId: 'for-you', hlc: new HybridLogicalClock().tick() }, [cursorSecret]);
    expect(await codeOf(getFeed({ cursor: forgedReal }))).toBe(Code.FailedPrecondition);
  });

  it('maps each cursor problem to its code and replays the latest request', async () => {
    const p1 = await getFeed({ debug: true });
    const p2 = await getFeed({ cursor: p1.nextCursor });
    const p3 = await getFeed({ cursor: p2.nextCursor });

    // A retry of the latest request (its answer lost) gets the same page and cursor.
    const again = await getFeed({ cursor: p2.nextCursor });
    expect(ids(again)).toEqual(ids(p3));
    expect(again.nextCursor).toBe(p3.nextCursor);

    const tampered = p3.nextCursor.slice(0, 10) + (p3.nextCursor[10] === 'A' ? 'B' : 'A') + p3.nextCursor.slice(11);
    const tamperedError = await errorOf(getFeed({ cursor: tampered }));
    expect(tamperedError.code).toBe(Code.InvalidArgument);
    expect(tamperedError.message).toMatch(/cursor/);
    expect(await codeOf(getFeed({ cursor: 'not-a-cursor' }))).toBe(Code.InvalidArgument);

    expect(await codeOf(getFeed({ userId: otherUserId, cursor: p3.nextCursor }))).toBe(Code.FailedPrecondition);
    expect(await codeOf(getFeed({ cursor: p1.nextCursor }))).toBe(Code.Aborted);

    // The latest cursor still works after all that.
    const p4 = await getFeed({ cursor: p3.nextCursor });
    expect(p4.items).toHaveLength(pageSize);

    await redis.del(redisKeys.sessionState(p1.debug!.sessionId));
    expect(await codeOf(getFeed({ cursor: p4.nextCursor }))).toBe(Code.FailedPrecondition);
  });

  it('does not shift or duplicate items when a post arrives between two pages', async () => {
    // Control session: both pages fetched before the post.
    const c1 = await getFeed({});
    const c2 = await getFeed({ cursor: c1.nextCursor });
    const a1 = await getFeed({});
    expect(ids(a1)).toEqual(ids(c1));

    const { rows } = await pool.query<{ followee_id: string }>('SELECT followee_id FROM follows WHERE follower_id = $1 LIMIT 1', [userId]);
    const author = rows[0]!.followee_id;
    const postId = randomUUID();
    const createdAt = Date.now();
    await pool.query(
      `INSERT INTO items (id, kind, author_id, created_at, payload) VALUES ($1, 1, $2, to_timestamp($3 / 1000.0), $4)`,
      [postId, author, createdAt, { title: 'Breaking news', body: 'A post published between two page requests.' }],
    );
    await pool.query('INSERT INTO item_stats (item_id, views, likes) VALUES ($1, 1000, 900)', [postId]);
    await redis.zadd(redisKeys.homeTimeline(userId), createdAt, encodeTimelineMember({ id: postId, kind: 1, authorId: author }));

    const a2 = await getFeed({ cursor: a1.nextCursor });
    expect(ids(a2)).not.toContain(postId);
    expect(ids(a2).filter((id) => ids(a1).includes(id))).toEqual([]);
    expect(ids(a2)).toEqual(ids(c2));

    // A new session sees the post.
    const fresh = await getFeed({ pageSize: 100 });
    expect(ids(fresh)).toContain(postId);
  });

  it('counts what is newer than a session (CountNewItems) and serves it on top of a new session (newer_than), without duplicates, retry-safe', async () => {
    const s1 = await getFeed({});
    const s2 = await getFeed({ cursor: s1.nextCursor });
    const servedBefore = new Set([...ids(s1), ...ids(s2)]);
    const count = (cursor: string) => feed.countNewItems({ userId, cursor }, { timeoutMs });
    expect(await count(s1.nextCursor)).toMatchObject({ count: 0, more: false });

    const { rows } = await pool.query<{ followee_id: string }>('SELECT followee_id FROM follows WHERE follower_id = $1 ORDER BY followee_id LIMIT 3', [userId]);
    const posts: string[] = [];
    for (const [n, { followee_id: author }] of rows.entries()) {
      const postId = randomUUID();
      const createdAt = Date.now() + n;
      await pool.query(`INSERT INTO items (id, kind, author_id, created_at, payload) VALUES ($1, 1, $2, to_timestamp($3 / 1000.0), $4)`, [
        postId,
        author,
        createdAt,
        { title: `New ${n}`, body: 'Published while the user was reading.' },
      ]);
      await redis.zadd(redisKeys.homeTimeline(userId), createdAt, encodeTimelineMember({ id: postId, kind: 1, authorId: author }));
      posts.push(postId);
    }
    // Any cursor of the session counts the same (a count moves nothing).
    expect(await count(s1.nextCursor)).toMatchObject({ count: posts.length, more: false });
    expect(await count(s2.nextCursor)).toMatchObject({ count: posts.length, more: false });

    const newer = (newerThan: string) =>
      feed.getFeed({ userId, pageSize, cursor: '', debug: true, feedId: '', newerThan }, { timeoutMs });
    const top = await newer(s2.nextCursor);
    expect(ids(top).sort()).toEqual([...posts].sort());
    expect(top.debug!.filters.find((f) => f.filter === 'newer-than')!.removed).toBeGreaterThan(0);
    // A retry of a lost answer shows the same new items (the old session did not move).
    expect(ids(await newer(s2.nextCursor)).sort()).toEqual([...posts].sort());
    // The new session continues with the rest of the feed: nothing either page showed.
    const next = await getFeed({ cursor: top.nextCursor });
    expect(next.items.length).toBe(pageSize);
    for (const id of ids(next)) {
      expect(servedBefore.has(id) || posts.includes(id), `${id} served again`).toBe(false);
    }
    expect(await count(next.nextCursor)).toMatchObject({ count: 0 });
    // The old session still pages on.
    expect((await getFeed({ cursor: s2.nextCursor })).items.length).toBe(pageSize);

    const both = await errorOf(feed.getFeed({ userId, pageSize, cursor: s2.nextCursor, newerThan: s2.nextCursor }, { timeoutMs }));
    expect(both.code).toBe(Code.InvalidArgument);
    expect(both.message).toMatch(/newer_than: send either cursor/);
    const noCursor = await errorOf(feed.countNewItems({ userId, cursor: '' }, { timeoutMs }));
    expect(noCursor.code).toBe(Code.InvalidArgument);
    expect(noCursor.message).toMatch(/cursor: is required/);
    const otherUser = await errorOf(feed.countNewItems({ userId: otherUserId, cursor: s2.nextCursor }, { timeoutMs }));
    expect(otherUser.code).toBe(Code.FailedPrecondition);
  });

  it('explains an item in the feed, one filtered by a mute, one served before, and one not recalled (ExplainFeedItem), committing nothing', async () => {
    const viewer = 'u9';
    const explain = (itemId: string, cursor = '') => feed.explainFeedItem({ userId: viewer, itemId, cursor, pageSize }, { timeoutMs });
    const first = await getFeed({ userId: viewer });
    const kept = first.items[2]!;
    const inFeed = await explain(kept.id);
    expect(inFeed).toMatchObject({ outcome: ExplainOutcome.IN_FEED, page: 1, filteredBy: '', rankedBy: 'ranking' });
    expect(inFeed.position).toBeGreaterThan(0);
    expect(inFeed.position).toBeLessThanOrEqual(pageSize);
    expect(inFeed.sources.length).toBeGreaterThan(0);
    expect(inFeed.breakdown!.features.map((f) => f.feature)).toContain('freshness');
    expect(inFeed.filters.every((f) => f.kept)).toBe(true);
    expect(inFeed.summary).toMatch(/^Ranked \d+(st|nd|rd|th) by score.*; on page 1, position \d+\.$/);

    // The page after first's cursor: what first served is already served; the cursor stays usable.
    expect(await explain(kept.id, first.nextCursor)).toMatchObject({ outcome: ExplainOutcome.FILTERED, filteredBy: 'already-served' });
    expect((await getFeed({ userId: viewer, cursor: first.nextCursor })).items.length).toBe(pageSize);

    const key = redisKeys.viewerPreferences(viewer);
    await redis.hset(key, `mute:${kept.authorId}`, '0');
    try {
      const muted = await explain(kept.id);
      expect(muted).toMatchObject({ outcome: ExplainOutcome.FILTERED, filteredBy: 'muted', page: 0, position: 0 });
      expect(muted.filters.find((f) => f.filter === 'muted')!.kept).toBe(false);
      expect(muted.summary).toMatch(/removed by the muted filter/);
    } finally {
      await redis.del(key);
    }
    expect(await explain(randomUUID())).toMatchObject({ outcome: ExplainOutcome.NOT_RECALLED });
    const bad = await errorOf(explain('not-a-uuid'));
    expect(bad.code).toBe(Code.InvalidArgument);
    expect(bad.message).toMatch(/item_id/);
  });

  it('applies a mute and a block (either way) from the next page on, to the open session too, counting them in debug', async () => {
    const viewer = 'u7';
    const key = redisKeys.viewerPreferences(viewer);
    await redis.del(key);
    try {
      const p1 = await getFeed({ userId: viewer, debug: true });
      const authorsOnPage1 = [...new Set(p1.items.map((i) => i.authorId))];
      expect(authorsOnPage1.length).toBeGreaterThanOrEqual(2);
      const [muted, blocker] = authorsOnPage1 as [string, string];
      // What ingest's Mute and Block write (its own tests cover the RPCs): blocker blocked the viewer.
      await redis.hset(key, `mute:${muted}`, '0', `blocked-by:${blocker}`, '0');
      const p2 = await getFeed({ userId: viewer, cursor: p1.nextCursor, debug: true });
      expect(p2.items.length).toBe(pageSize);
      const authors = new Set(p2.items.map((i) => i.authorId));
      expect(authors.has(muted)).toBe(false);
      expect(authors.has(blocker)).toBe(false);
      const removed = Object.fromEntries(p2.debug!.filters.map((f) => [f.filter, f.removed]));
      expect(Object.keys(removed)).toEqual(['after-snapshot', 'newer-than', 'blocked', 'muted', 'shown-less', 'already-served']);
      // A fresh session never shows them either.
      const fresh = await getFeed({ userId: viewer, debug: true });
      expect(fresh.items.some((i) => i.authorId === muted || i.authorId === blocker)).toBe(false);
      expect(fresh.debug!.filters.find((f) => f.filter === 'muted')!.removed + fresh.debug!.filters.find((f) => f.filter === 'blocked')!.removed).toBeGreaterThan(0);
    } finally {
      await redis.del(key);
    }
  });

  it('serves the following feed: followed authors only, newest first, paged without duplicates; a cursor binds to its feed', async () => {
    const { rows } = await pool.query<{ followee_id: string }>('SELECT followee_id FROM follows WHERE follower_id = $1', [userId]);
    const followed = new Set(rows.map((r) => r.followee_id));
    expect(followed.size).toBeGreaterThan(0);
    const served = new Set<string>();
    let cursor = '';
    let previousMs = Number.POSITIVE_INFINITY;
    for (let page = 0; page < 3; page++) {
      const response = await getFeed({ feedId: 'following', cursor, debug: true });
      expect(response.items.length).toBe(pageSize);
      expect(response.degraded).toBe(false);
      expect(response.debug!.sources.map((s) => s.source)).toEqual(['following']);
      for (const item of response.items) {
        expect(followed.has(item.authorId), `${item.authorId} is not followed`).toBe(true);
        expect(served.has(item.id), `${item.id} served twice`).toBe(false);
        served.add(item.id);
        const createdMs = timestampMs(item.createdAt!);
        expect(createdMs).toBeLessThanOrEqual(previousMs);
        previousMs = createdMs;
      }
      cursor = response.nextCursor;
    }
    // The cursor of a following page pages the following feed only.
    const wrongFeed = await errorOf(getFeed({ cursor }));
    expect(wrongFeed.code).toBe(Code.InvalidArgument);
    expect(wrongFeed.message).toMatch(/cursor: belongs to feed "following", not "for-you"/);
    expect((await getFeed({ feedId: 'following', cursor })).items.length).toBe(pageSize);
    // for-you (the default) recalls from every source and ranks.
    const forYou = await getFeed({ feedId: 'for-you', debug: true });
    expect(forYou.debug!.sources.map((s) => s.source)).toEqual(expect.arrayContaining(['following', 'trending', 'fresh']));
    expect(forYou.items.some((i) => i.score > 0)).toBe(true);
    const unknown = await errorOf(getFeed({ feedId: 'trending' }));
    expect(unknown.code).toBe(Code.InvalidArgument);
    expect(unknown.message).toMatch(/feed_id: unknown feed "trending"/);
  });

  it('ends the session cleanly on its last page', async () => {
    let cursor = '';
    const seen = new Set<string>();
    let pages = 0;
    for (;;) {
      const response = await getFeed({ cursor, pageSize: 100, userId: otherUserId });
      pages++;
      for (const id of ids(response)) {
        expect(seen.has(id)).toBe(false);
        seen.add(id);
      }
      if (response.nextCursor === '') break;
      expect(response.items).toHaveLength(100);
      expect(pages).toBeLessThan(50);
      cursor = response.nextCursor;
    }
    expect(pages).toBeGreaterThan(1);
  });

  it('keeps the page inside the deadline when a recall source is slow, reporting it as TIMEOUT', async () => {
    const base = commonEnv({ databaseUrl, redisUrl, otlpEndpoint: collector.endpoint });
    const slowRecall = await spawnApp(entryOf('recall'), { ...base, FEEDMESH_TEST_HOOKS: 'enable', RECALL_SOURCE_DELAY_MS_TRENDING: '5000' }, { name: 'slow-recall', timeoutMs: 30_000 });
    const aggregator = await spawnApp(
      entryOf('aggregator'),
      { ...base, RECALL_ADDR: slowRecall.address, RANKING_ADDR: mesh.ranking.address, RENDER_ADDR: mesh.render.address, CURSOR_SECRETS: cursorSecret },
      { name: 'aggregator-slow-recall', timeoutMs: 30_000 },
    );
    const client = createServiceClient(FeedService, { address: aggregator.address, maxRetries: 0 });
    try {
      const deadlineMs = 1_000;
      const started = performance.now();
      const response = await client.getFeed({ userId, pageSize, debug: true }, { timeoutMs: deadlineMs });
      expect(performance.now() - started).toBeLessThan(deadlineMs);
      expect(response.items).toHaveLength(pageSize);
      const trending = response.debug?.sources.find((s) => s.source === 'trending');
      expect(trending?.status).toBe(2); // SOURCE_STATUS_TIMEOUT
      expect(response.debug?.sources.some((s) => s.status === 1 && s.count > 0)).toBe(true);
    } finally {
      client.close();
      await aggregator.stop();
      await slowRecall.stop();
    }
  });

  it('denies debug output in production unless FEED_DEBUG allows it: PermissionDenied naming debug', async () => {
    const base = commonEnv({ databaseUrl, redisUrl, otlpEndpoint: collector.endpoint });
    const downstreams = { RECALL_ADDR: mesh.recall.address, RANKING_ADDR: mesh.ranking.address, RENDER_ADDR: mesh.render.address };
    const production = await spawnApp(entryOf('aggregator'), { ...base, ...downstreams, NODE_ENV: 'production', CURSOR_SECRETS: cursorSecret }, { name: 'aggregator-production', timeoutMs: 30_000 });
    const client = createServiceClient(FeedService, { address: production.address, maxRetries: 0 });
    try {
      const denied = await errorOf(client.getFeed({ userId, pageSize, debug: true }, { timeoutMs }));
      expect(denied.code).toBe(Code.PermissionDenied);
      expect(denied.rawMessage).toMatch(/^debug: /);
      const page = await client.getFeed({ userId, pageSize }, { timeoutMs });
      expect(page.items).toHaveLength(pageSize);
      expect(page.debug).toBeUndefined();
    } finally {
      client.close();
      await production.stop();
    }
  });

  it('refuses to start in production without CURSOR_SECRETS, naming it', async () => {
    const base = commonEnv({ databaseUrl, redisUrl, otlpEndpoint: collector.endpoint });
    const failure = await spawnApp(entryOf('aggregator'), { ...base, NODE_ENV: 'production', CURSOR_SECRETS: '' }, { name: 'aggregator-no-secret', timeoutMs: 30_000 }).then(
      async (app) => {
        await app.stop('SIGKILL');
        return undefined;
      },
      (e: Error) => e.message,
    );
    expect(failure, 'the aggregator started without a cursor secret').toBeDefined();
    expect(failure).toMatch(/exited with 1 before listening/);
    expect(failure!.replaceAll('\\"', '"')).toContain('failed to start: invalid configuration: CURSOR_SECRETS (required when NODE_ENV=production');
  });

  it('stays ready and serves pages while its Postgres is unreachable; ids Redis does not know are served degraded', async () => {
    const base = commonEnv({ databaseUrl, redisUrl, otlpEndpoint: collector.endpoint });
    const downstreams = { RECALL_ADDR: mesh.recall.address, RANKING_ADDR: mesh.ranking.address, RENDER_ADDR: mesh.render.address };
    // Nothing listens on port 1: every Postgres connection is refused at once. The database name
    // stays the test's own, which its Redis keys are bound to.
    const unreachable = new URL(databaseUrl);
    unreachable.port = '1';
    const noPostgres = await spawnApp(
      entryOf('aggregator'),
      { ...base, ...downstreams, CURSOR_SECRETS: cursorSecret, DATABASE_URL: unreachable.toString() },
      { name: 'aggregator-no-postgres', timeoutMs: 30_000 },
    );
    const client = createServiceClient(FeedService, { address: noPostgres.address, maxRetries: 0 });
    try {
      expect((await fetch(`http://${noPostgres.address}/readyz`)).status).toBe(200);
      // A seeded user is in the Redis read model: Postgres is not asked.
      const page = await client.getFeed({ userId, pageSize }, { timeoutMs });
      expect(page.items).toHaveLength(pageSize);
      expect(page.degraded, page.degradedReasons.join(', ')).toBe(false);
      // Redis does not know this (well-formed) id and Postgres cannot say: fail open, degraded.
      const unknown = await client.getFeed({ userId: 'not-in-redis', pageSize }, { timeoutMs });
      expect(unknown.degraded).toBe(true);
      expect(unknown.degradedReasons).toEqual(['users: unavailable']);
    } finally {
      client.close();
      await noPostgres.stop();
    }
  });

  it('traces one request through aggregator, recall, ranking and render', async () => {
    const traceId = randomBytes(16).toString('hex');
    const rootSpanId = randomBytes(8).toString('hex');
    const response = await fetch(`http://${mesh.aggregator.address}/feedmesh.feed.v1.FeedService/GetFeed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-${rootSpanId}-01`, 'connect-timeout-ms': String(timeoutMs) },
      body: JSON.stringify({ userId, pageSize: 5 }),
    });
    expect(response.status).toBe(200);

    const wanted = ['feed.aggregate.skeleton', 'feed.recall.query', 'feed.ranking.score', 'feed.render.template'];
    const deadline = Date.now() + 10_000;
    const inTrace = () => collector.spans.filter((s) => s.traceId === traceId);
    while (Date.now() < deadline && !wanted.every((name) => inTrace().some((s) => s.name === name))) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // Give the last batch of every exporter a moment so parents are in too.
    await new Promise((r) => setTimeout(r, 500));
    const spans = inTrace();
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['aggregator', 'recall', 'ranking', 'render']));

    const recallSpan = spans.find((s) => s.name === 'feed.recall.query')!;
    expect(recallSpan.attributes['recall.strategy']).toEqual(expect.any(String));
    const rankingSpan = spans.find((s) => s.name === 'feed.ranking.score')!;
    expect(rankingSpan.attributes['model.version']).toEqual(expect.any(String));
    expect(rankingSpan.attributes['feature.count']).toBeGreaterThan(0);
    const renderSpan = spans.find((s) => s.name === 'feed.render.template')!;
    expect(renderSpan.attributes['template.id']).toEqual(expect.any(String));
    expect(typeof renderSpan.attributes['asset.loaded']).toBe('boolean');
    for (const stage of ['session', 'skeleton', 'hydration', 'rules', 'paging', 'presentation']) {
      expect(spans.some((s) => s.service === 'aggregator' && s.name === `feed.aggregate.${stage}`), stage).toBe(true);
    }

    // Intact links: every span's parent is in the trace, except the server span under our root.
    const spanIds = new Set(spans.map((s) => s.spanId));
    for (const span of spans) {
      expect(span.parentSpanId === rootSpanId || spanIds.has(span.parentSpanId), `${span.service} ${span.name} has a dangling parent`).toBe(true);
    }
    expect(spans.filter((s) => s.parentSpanId === rootSpanId).map((s) => s.service)).toEqual(['aggregator']);
  });

  it('serves degraded pages in recency order when ranking is stopped, then skips it fast', async () => {
    await mesh.ranking.stop();
    const first = await getFeed({ debug: true });
    expect(first.items).toHaveLength(pageSize);
    expect(first.degraded).toBe(true);
    expect(first.degradedReasons).toEqual([expect.stringMatching(/^ranking: /)]);
    const created = first.items.map((i) => Number(i.createdAt?.seconds ?? 0n) * 1000 + Math.floor((i.createdAt?.nanos ?? 0) / 1e6));
    expect([...created].sort((a, b) => b - a)).toEqual(created);

    // The breaker opens once failures pass 50 % of the calls in its 10 s window (which still
    // holds the successful calls of the earlier tests); from then on ranking is not called.
    let cursor = first.nextCursor;
    let skipped: GetFeedResponse | undefined;
    for (let i = 0; i < 100 && skipped === undefined; i++) {
      const response = await getFeed({ cursor, debug: true });
      expect(response.degraded).toBe(true);
      if (response.degradedReasons[0] === 'ranking: circuit_open') skipped = response;
      cursor = response.nextCursor || (await getFeed({})).nextCursor;
    }
    expect(skipped, 'the ranking circuit never opened').toBeDefined();
    const started = performance.now();
    skipped = await getFeed({ cursor, debug: true });
    expect(skipped.degradedReasons).toEqual(['ranking: circuit_open']);
    expect(skipped.items).toHaveLength(pageSize);
    const rankingTiming = skipped.debug?.stages.find((s) => s.stage === 'ranking');
    expect(rankingTiming?.durationMs).toBeLessThan(5);
    expect(performance.now() - started).toBeLessThan(timeoutMs);
  });
});
