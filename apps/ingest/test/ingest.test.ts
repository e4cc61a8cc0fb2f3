import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import { EngagementType } from '@feedmesh/contracts';
import type { SpawnedApp } from '@feedmesh/service-kit';
import { encodeTimelineMember, redisKeys } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activateHomeTimelines, articlePayload, clientFor, createTestStores, insertFollows, insertUsers, startIngest, waitFor, type IngestClient, type StartedIngest, type TestStores, codeOf, waitForRollup } from './fixtures.js';

let stores: TestStores;
let ingest: StartedIngest;
let app: SpawnedApp;
let client: IngestClient;

beforeAll(async () => {
  stores = await createTestStores();
  await insertUsers(stores.pool, ['author', 'f1', 'f2', 'f3', 'reader', 'big', 'other']);
  await insertFollows(stores.pool, 'author', ['f1', 'f2', 'f3']);
  await activateHomeTimelines(stores.redis, ['f1', 'f2', 'f3', 'reader']);
  ingest = await startIngest(stores, { INGEST_WORKERS: '4' });
  ({ app, client } = ingest);
});

afterAll(async () => {
  await ingest?.stop();
  await stores?.close();
});

async function itemCount(requestId: string): Promise<number> {
  const { rows } = await stores.pool.query<{ n: string }>('SELECT count(*) AS n FROM items WHERE request_id = $1', [requestId]);
  return Number(rows[0]!.n);
}

async function publishConcurrently(target: IngestClient, requestId: string, times: number) {
  return Promise.all(
    Array.from({ length: times }, () => target.publish({ requestId, authorId: 'other', payload: articlePayload(`Retry ${requestId}`) })),
  );
}

async function memberOfItem(itemId: string): Promise<string> {
  const { rows } = await stores.pool.query<{ kind: number; author_id: string }>('SELECT kind, author_id FROM items WHERE id = $1', [itemId]);
  return encodeTimelineMember({ id: itemId, kind: rows[0]!.kind, authorId: rows[0]!.author_id });
}

async function inTimeline(userId: string, member: string): Promise<boolean> {
  return (await stores.redis.zscore(redisKeys.homeTimeline(userId), member)) !== null;
}

describe('Publish idempotency', () => {
  // 100 calls at once queue for 10 pooled connections; on a busy box some wait past the pool's
  // checkout timeout. That is Unavailable (retryable, store-errors.ts), which a client retries,
  // as callers of an idempotent method should: the retries must still yield one item.
  let retrying: IngestClient;
  beforeAll(() => {
    retrying = clientFor(app, { maxRetries: 5 });
  });
  afterAll(() => retrying?.close());

  it('creates one item for 100 concurrent calls with one request_id', async () => {
    const responses = await publishConcurrently(retrying, 'req-concurrent', 100);
    const ids = new Set(responses.map((r) => r.itemId));
    expect(ids.size).toBe(1);
    expect(responses.filter((r) => !r.replay)).toHaveLength(1);
    expect(await itemCount('req-concurrent')).toBe(1);
    const later = await client.publish({ requestId: 'req-concurrent', authorId: 'other', payload: articlePayload('Retry req-concurrent') });
    expect(later).toMatchObject({ itemId: [...ids][0], replay: true });
  });

  it('creates one item with Redis unreachable, and still answers', async () => {
    const noRedis = await startIngest(
      stores,
      { REDIS_URL: 'redis://127.0.0.1:1/11', INGEST_RUN_WORKER: 'false', MIGRATE_ON_START: 'false', LOG_LEVEL: 'error' },
      { name: 'ingest-no-redis', maxRetries: 5 },
    );
    const degraded = noRedis.client;
    try {
      const responses = await publishConcurrently(degraded, 'req-no-redis', 100);
      expect(new Set(responses.map((r) => r.itemId)).size).toBe(1);
      expect(responses.filter((r) => !r.replay)).toHaveLength(1);
      expect(await itemCount('req-no-redis')).toBe(1);
    } finally {
      await noRedis.stop();
    }
  });
});

describe('an exhausted Postgres pool', () => {
  it('answers Unavailable (retryable), not Internal, and serves again once a connection is free', async () => {
    const small = await startIngest(
      stores,
      { PG_POOL_MAX: '1', PG_STATEMENT_TIMEOUT_MS: '20000', INGEST_RUN_WORKER: 'false', MIGRATE_ON_START: 'false', LOG_LEVEL: 'error' },
      { name: 'ingest-pool-1', defaultTimeoutMs: 15_000 },
    );
    const target = small.client;
    await insertUsers(stores.pool, ['pool-a', 'pool-b']);
    const holder = await stores.pool.connect();
    try {
      // The app's only connection waits on a row lock this test holds (Follow locks both users)...
      await holder.query('BEGIN');
      await holder.query("SELECT 1 FROM users WHERE id = 'pool-b' FOR UPDATE");
      const follow = target.follow({ followerId: 'pool-a', followeeId: 'pool-b' });
      await new Promise((resolve) => setTimeout(resolve, 300));
      // ...so the next call cannot get one within the pool's checkout timeout.
      const { code, message } = await codeOf(target.publish({ requestId: 'r-pool', authorId: 'author', payload: articlePayload('Pool') }));
      expect(code).toBe(Code.Unavailable);
      expect(message).toBe('the item store is unavailable');
      await holder.query('ROLLBACK');
      expect((await follow).changed).toBe(true);
      expect((await target.publish({ requestId: 'r-pool', authorId: 'author', payload: articlePayload('Pool') })).replay).toBe(false);
    } finally {
      await holder.query('ROLLBACK').catch(() => {});
      holder.release();
      await small.stop();
    }
  });
});

describe('Publish validation', () => {
  const cases: Array<[string, Record<string, unknown>, string]> = [
    ['empty request_id', { requestId: '' }, 'request_id'],
    ['empty author', { authorId: '' }, 'author_id'],
    ['no payload', { payload: { case: undefined } }, 'payload'],
    ['title too long', { payload: articlePayload('x'.repeat(301)) }, 'article.title'],
    ['blank title', { payload: articlePayload('   ') }, 'article.title'],
    ['ftp cover', { payload: { case: 'article', value: { title: 't', body: 'b', coverUrl: 'ftp://example.com/a' } } }, 'article.cover_url'],
    ['video without url', { payload: { case: 'video', value: { title: 't', url: '', durationMs: 1000 } } }, 'video.url'],
    ['video too long', { payload: { case: 'video', value: { title: 't', url: 'https://e.com/v', durationMs: 86_400_001 } } }, 'video.duration_ms'],
    ['video of 0 ms', { payload: { case: 'video', value: { title: 't', url: 'https://e.com/v', durationMs: 0 } } }, 'video.duration_ms'],
    ['live with javascript url', { payload: { case: 'live', value: { title: 't', streamUrl: 'javascript:alert(1)' } } }, 'live.stream_url'],
  ];
  it.each(cases)('%s → InvalidArgument naming %s', async (_name, override, field) => {
    const request = { requestId: 'r-invalid', authorId: 'author', payload: articlePayload('ok'), ...override };
    const { code, message } = await codeOf(client.publish(request as never));
    expect(code).toBe(Code.InvalidArgument);
    expect(message.startsWith(`${field}:`)).toBe(true);
  });

  it('refuses an unknown author with FailedPrecondition naming author_id', async () => {
    const { code, message } = await codeOf(client.publish({ requestId: 'r1', authorId: 'nobody', payload: articlePayload('hello') }));
    expect(code).toBe(Code.FailedPrecondition);
    expect(message).toMatch(/^author_id:/);
  });
});

describe('fan-out, delete, follow', () => {
  let itemId: string;
  let member: string;

  it('puts a new item into every follower timeline and the author and topic zsets', async () => {
    ({ itemId } = await client.publish({ requestId: 'fanout-1', authorId: 'author', payload: articlePayload('Hello #rust world') }));
    member = await memberOfItem(itemId);
    const reached = await waitFor(async () => (await Promise.all(['f1', 'f2', 'f3'].map((u) => inTimeline(u, member)))).every(Boolean));
    expect(reached).toBe(true);
    expect(await stores.redis.zscore(redisKeys.authorRecent('author'), member)).not.toBeNull();
    expect(await stores.redis.zscore(redisKeys.topicRecent('rust'), member)).not.toBeNull();
    expect(await stores.redis.zscore(redisKeys.trending(1), member)).not.toBeNull();
    expect(await inTimeline('reader', member)).toBe(false);
  });

  it('backfills the author’s recent items on follow, removes them on unfollow, keeps counters', async () => {
    const followed = await client.follow({ followerId: 'reader', followeeId: 'author' });
    expect(followed).toEqual(expect.objectContaining({ changed: true, followerCount: 4n }));
    expect(await client.follow({ followerId: 'reader', followeeId: 'author' })).toEqual(expect.objectContaining({ changed: false, followerCount: 4n }));
    expect(await waitFor(() => inTimeline('reader', member))).toBe(true);

    const unfollowed = await client.unfollow({ followerId: 'reader', followeeId: 'author' });
    expect(unfollowed).toEqual(expect.objectContaining({ changed: true, followerCount: 3n }));
    expect(await client.unfollow({ followerId: 'reader', followeeId: 'author' })).toEqual(expect.objectContaining({ changed: false }));
    expect(await waitFor(async () => !(await inTimeline('reader', member)))).toBe(true);
    const { rows } = await stores.pool.query('SELECT id, follower_count, following_count FROM users WHERE id IN ($1, $2) ORDER BY id', ['author', 'reader']);
    expect(rows).toEqual([
      { id: 'author', follower_count: 3, following_count: 0 },
      { id: 'reader', follower_count: 0, following_count: 0 },
    ]);
  });

  it('edits drop the cached card; only the author may edit or delete', async () => {
    await stores.redis.set(redisKeys.renderedCard(itemId), 'stale card');
    await client.editItem({ itemId, authorId: 'author', payload: articlePayload('Edited #rust') });
    expect(await waitFor(async () => (await stores.redis.exists(redisKeys.renderedCard(itemId))) === 0)).toBe(true);
    expect((await codeOf(client.deleteItem({ itemId, authorId: 'other' }))).code).toBe(Code.PermissionDenied);
    const wrongKind = await codeOf(client.editItem({ itemId, authorId: 'author', payload: { case: 'live', value: { title: 't', streamUrl: 'https://e.com/s' } } }));
    expect(wrongKind.code).toBe(Code.InvalidArgument);
  });

  it('removes a deleted item from timelines, author, topic and trending zsets and the card cache', async () => {
    await stores.redis.set(redisKeys.renderedCard(itemId), 'cached card');
    expect(await client.deleteItem({ itemId, authorId: 'author' })).toEqual(expect.objectContaining({ deleted: true }));
    expect(await client.deleteItem({ itemId, authorId: 'author' })).toEqual(expect.objectContaining({ deleted: false }));
    const gone = await waitFor(async () => {
      const still = await Promise.all(['f1', 'f2', 'f3'].map((u) => inTimeline(u, member)));
      return !still.some(Boolean) && (await stores.redis.exists(redisKeys.renderedCard(itemId))) === 0;
    });
    expect(gone).toBe(true);
    expect(await stores.redis.zscore(redisKeys.authorRecent('author'), member)).toBeNull();
    expect(await stores.redis.zscore(redisKeys.topicRecent('rust'), member)).toBeNull();
    expect(await stores.redis.zscore(redisKeys.trending(1), member)).toBeNull();
  });
});

describe('RecordEngagement', () => {
  let itemA: string;
  let itemB: string;
  const now = Date.now();

  beforeAll(async () => {
    itemA = (await client.publish({ requestId: 'eng-a', authorId: 'author', payload: articlePayload('A') })).itemId;
    itemB = (await client.publish({ requestId: 'eng-b', authorId: 'author', payload: articlePayload('B') })).itemId;
  });

  function event(itemId: string, type: EngagementType, atMs: number, userId = 'reader') {
    return { userId, itemId, type, occurredAt: timestampFromMs(atMs), dwellMs: 1500 };
  }

  it('stores valid unique records and reports rejects and duplicates exactly', async () => {
    const events = [
      event(itemA, EngagementType.VIEW, now - 1000), // 0 ok
      event(itemA, EngagementType.LIKE, now - 1000), // 1 ok
      event(itemA, EngagementType.VIEW, now - 1000), // 2 duplicate of 0 inside the batch
      event(itemB, EngagementType.SHARE, now - 2000), // 3 ok
      event(itemB, EngagementType.VIEW, now + 10 * 60_000), // 4 far future
      event(itemB, EngagementType.VIEW, now - 8 * 24 * 3_600_000), // 5 far past
      event('00000000-0000-4000-8000-000000000000', EngagementType.VIEW, now), // 6 unknown item
      event(itemB, EngagementType.VIEW, now, 'ghost'), // 7 unknown user
      event('not-a-uuid', EngagementType.VIEW, now), // 8 malformed item id
    ];
    const first = await client.recordEngagement({ events });
    expect(first).toMatchObject({ accepted: 3, rejected: 5, duplicates: 1 });
    expect(first.errors.map((e) => [e.index, e.field])).toEqual([
      [4, 'occurred_at'],
      [5, 'occurred_at'],
      [6, 'item_id'],
      [7, 'user_id'],
      [8, 'item_id'],
    ]);
    // The same batch again: nothing new, nothing double-counted.
    const replay = await client.recordEngagement({ events });
    expect(replay).toMatchObject({ accepted: 0, rejected: 5, duplicates: 4 });

    const { rows } = await stores.pool.query('SELECT item_id, type FROM engagement_events ORDER BY item_id, type');
    expect(rows).toHaveLength(3);
    expect(await waitForRollup(stores.pool)).toBe(true);
    const stats = await stores.pool.query('SELECT item_id, views, likes, shares FROM item_stats WHERE item_id = ANY($1::uuid[]) ORDER BY item_id', [[itemA, itemB]]);
    const byItem = Object.fromEntries(stats.rows.map((r) => [r.item_id, [Number(r.views), Number(r.likes), Number(r.shares)]]));
    expect(byItem[itemA]).toEqual([1, 1, 0]);
    expect(byItem[itemB]).toEqual([0, 0, 1]);
    const affinity = await stores.pool.query('SELECT score FROM user_author_affinity WHERE user_id = $1 AND author_id = $2', ['reader', 'author']);
    expect(affinity.rows[0].score).toBeGreaterThan(0);
    const trendingA = await stores.redis.zscore(redisKeys.trending(1), await memberOfItem(itemA));
    expect(trendingA).not.toBeNull();
  });

  const badRecords: Array<[string, Record<string, unknown>, string]> = [
    ['unspecified type', { type: EngagementType.UNSPECIFIED }, 'type'],
    ['missing time', { occurredAt: undefined }, 'occurred_at'],
    ['empty user', { userId: '' }, 'user_id'],
    ['dwell over a day', { dwellMs: 86_400_001 }, 'dwell_ms'],
  ];
  it.each(badRecords)('a batch of one record with %s → InvalidArgument naming events[0].%s', async (_name, override, field) => {
    const { code, message } = await codeOf(client.recordEngagement({ events: [{ ...event(itemA, EngagementType.CLICK, now), ...override }] }));
    expect(code).toBe(Code.InvalidArgument);
    expect(message.startsWith(`events[0].${field}:`)).toBe(true);
  });

  it('refuses an empty batch', async () => {
    expect((await codeOf(client.recordEngagement({ events: [] }))).message).toMatch(/^events:/);
  });

  it('strict JSON route on the app port: no coercion, per-record errors, valid records stored', async () => {
    const url = `http://${app.address}/v1/engagement`;
    const at = new Date(now - 5000).toISOString();
    const post = (body: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const response = await post({
      events: [
        { user_id: 'reader', item_id: itemB, type: 'like', occurred_at: at, dwell_ms: 10 }, // 0 ok
        { user_id: 'reader', item_id: itemB, type: 'click', occurred_at: at, dwell_ms: '123' }, // 1 string number
        { user_id: 'reader', item_id: itemB, type: 'view', occurred_at: at, dwell_ms: true }, // 2 boolean
        { user_id: 'reader', item_id: itemB, type: 2, occurred_at: at }, // 3 numeric type
        { user_id: 'reader', item_id: itemB, type: 'poke', occurred_at: at }, // 4 unknown type
        { user_id: 'reader', item_id: itemB, type: 'view', occurred_at: 1735732800000 }, // 5 epoch number
        { user_id: 'reader', item_id: itemB, type: 'like', occurred_at: at, dwel_ms: 5 }, // 6 unknown key
        { user_id: 'reader', item_id: itemB, type: 'like', occurred_at: at }, // 7 duplicate of 0
        { user_id: 'reader', item_id: '00000000-0000-4000-8000-000000000001', type: 'like', occurred_at: at }, // 8 unknown item
      ],
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accepted: number; rejected: number; duplicates: number; errors: Array<{ index: number; field: string }> };
    expect(body).toMatchObject({ accepted: 1, rejected: 7, duplicates: 1 });
    expect(body.errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'dwell_ms'],
      [2, 'dwell_ms'],
      [3, 'type'],
      [4, 'type'],
      [5, 'occurred_at'],
      [6, 'dwel_ms'],
      [8, 'item_id'],
    ]);
    const allBad = await post({ events: [{ user_id: 'reader', item_id: itemB, type: 'like', occurred_at: at, dwell_ms: '5' }] });
    expect(allBad.status).toBe(400);
    expect(await allBad.json()).toMatchObject({ code: 'invalid_argument', field: 'events[0].dwell_ms', rejected: 1 });
    expect((await post({ events: 'nope' })).status).toBe(400);
    const stored = await stores.pool.query('SELECT count(*)::int AS n FROM engagement_events WHERE item_id = $1 AND type = 2', [itemB]);
    expect(stored.rows[0].n).toBe(1);
  });
});
