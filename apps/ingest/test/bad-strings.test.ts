import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import { EngagementType } from '@feedmesh/contracts';
import type { SpawnedApp } from '@feedmesh/service-kit';
import { redisKeys } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePayload, createTestStores, insertUsers, startIngest, type IngestClient, type StartedIngest, type TestStores, codeOf } from './fixtures.js';

// Strings Postgres cannot store (U+0000), that have no UTF-8 form (lone surrogates) or that a
// field forbids (control characters in ids and titles) are InvalidArgument naming the field, on
// every RPC and both protocols; in an engagement batch, per record. And a request id reused
// for another payload is a conflict, not a replay.

let stores: TestStores;
let ingest: StartedIngest;
let app: SpawnedApp;
let client: IngestClient;
let itemId: string;

beforeAll(async () => {
  stores = await createTestStores();
  await insertUsers(stores.pool, ['author', 'reader', 'other']);
  ingest = await startIngest(stores);
  ({ app, client } = ingest);
  itemId = (await client.publish({ requestId: 'seed', authorId: 'author', payload: articlePayload('Seed') })).itemId;
});

afterAll(async () => {
  await ingest?.stop();
  await stores?.close();
});

/** A Connect JSON call over HTTP/1.1, as the curl sends it. */
async function connectJson(method: string, body: unknown): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`http://${app.address}/feedmesh.ingest.v1.IngestService/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

const NUL = 'a\u0000b';
const article = (title: string, body = 'body', coverUrl = '') => ({ case: 'article' as const, value: { title, body, coverUrl } });

describe('strings Postgres cannot store', () => {
  it("the issue's curl: Connect JSON Publish with U+0000 in the title is 400 invalid_argument naming article.title", async () => {
    const { status, body } = await connectJson('Publish', { requestId: 'nul-1', authorId: 'u1', article: { title: NUL, body: 'b' } });
    expect(status).toBe(400);
    expect(body.code).toBe('invalid_argument');
    expect(body.message).toMatch(/^article\.title: must not contain U\+0000/);
  });

  const grpcCases: Array<[string, string, () => Promise<unknown>]> = [
    ['Publish request_id', 'request_id', () => client.publish({ requestId: NUL, authorId: 'author', payload: articlePayload('t') })],
    ['Publish author_id', 'author_id', () => client.publish({ requestId: 'r', authorId: NUL, payload: articlePayload('t') })],
    ['Publish article.title', 'article.title', () => client.publish({ requestId: 'r', authorId: 'author', payload: article(NUL) })],
    ['Publish article.body', 'article.body', () => client.publish({ requestId: 'r', authorId: 'author', payload: article('t', NUL) })],
    ['Publish article.cover_url', 'article.cover_url', () => client.publish({ requestId: 'r', authorId: 'author', payload: article('t', 'b', `https://e.com/${NUL}`) })],
    ['Publish video.url', 'video.url', () => client.publish({ requestId: 'r', authorId: 'author', payload: { case: 'video', value: { title: 't', url: `https://e.com/${NUL}`, durationMs: 5, thumbnailUrl: '' } } })],
    ['Publish live.stream_url', 'live.stream_url', () => client.publish({ requestId: 'r', authorId: 'author', payload: { case: 'live', value: { title: 't', streamUrl: `https://e.com/${NUL}` } } })],
    ['Publish title with a control character', 'article.title', () => client.publish({ requestId: 'r', authorId: 'author', payload: article('bell\u0007') })],
    ['EditItem item_id', 'item_id', () => client.editItem({ itemId: NUL, authorId: 'author', payload: article('t') })],
    ['EditItem author_id', 'author_id', () => client.editItem({ itemId, authorId: NUL, payload: article('t') })],
    ['EditItem article.title', 'article.title', () => client.editItem({ itemId, authorId: 'author', payload: article(NUL) })],
    ['DeleteItem item_id', 'item_id', () => client.deleteItem({ itemId: NUL, authorId: 'author' })],
    ['DeleteItem author_id', 'author_id', () => client.deleteItem({ itemId, authorId: NUL })],
    ['Follow follower_id', 'follower_id', () => client.follow({ followerId: NUL, followeeId: 'author' })],
    ['Follow followee_id', 'followee_id', () => client.follow({ followerId: 'reader', followeeId: NUL })],
    ['Unfollow follower_id', 'follower_id', () => client.unfollow({ followerId: NUL, followeeId: 'author' })],
    ['Unfollow followee_id with a newline', 'followee_id', () => client.unfollow({ followerId: 'reader', followeeId: 'a\nb' })],
  ];
  it.each(grpcCases)('gRPC %s → InvalidArgument naming %s', async (_name, field, call) => {
    const { code, message } = await codeOf(call());
    expect(code).toBe(Code.InvalidArgument);
    expect(message.startsWith(`${field}: must not contain`)).toBe(true);
  });

  const jsonCases: Array<[string, string, string, Record<string, unknown>]> = [
    ['Publish', 'lone high surrogate in the body', 'article.body', { requestId: 'r', authorId: 'author', article: { title: 't', body: 'x\ud800' } }],
    ['Publish', 'lone low surrogate in the request id', 'request_id', { requestId: '\udc00', authorId: 'author', article: { title: 't', body: 'b' } }],
    ['EditItem', 'U+0000 in the title', 'live.title', { itemId: '00000000-0000-4000-8000-000000000000', authorId: 'author', live: { title: NUL, streamUrl: 'https://e.com/s' } }],
    ['DeleteItem', 'U+0000 in the author', 'author_id', { itemId: '00000000-0000-4000-8000-000000000000', authorId: NUL }],
    ['Follow', 'U+0000 in the followee', 'followee_id', { followerId: 'reader', followeeId: NUL }],
    ['Unfollow', 'a lone surrogate in the follower', 'follower_id', { followerId: '\ud83d', followeeId: 'author' }],
    ['Publish', 'a string over the kit-wide limit', 'article.body', { requestId: 'r', authorId: 'author', article: { title: 't', body: 'x'.repeat(300_000) } }],
  ];
  it.each(jsonCases)('Connect JSON %s with %s → 400 invalid_argument naming %s', async (method, _name, field, body) => {
    const response = await connectJson(method, body);
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('invalid_argument');
    // The protobuf JSON decoder itself refuses a lone surrogate ("invalid UTF8"); the kit names
    // the field of such a failure by path as it does for its own rule's (json-field-path.ts).
    const message = String(response.body.message);
    expect(message.startsWith(`${field}: `), message).toBe(true);
    expect(response.headers.get('x-field-violation')).toBe(field);
  });

  it('stored nothing from any refused request', async () => {
    const { rows } = await stores.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM items WHERE request_id <> 'seed'");
    expect(rows[0]!.n).toBe(0);
  });
});

describe('RecordEngagement rejects bad strings record by record', () => {
  const at = () => timestampFromMs(Date.now() - 1000);

  it('gRPC: a U+0000 user id and an unknown type are rejected with their index, the valid records stored', async () => {
    const events = [
      { userId: 'reader', itemId, type: EngagementType.VIEW, occurredAt: at() },
      { userId: NUL, itemId, type: EngagementType.LIKE, occurredAt: at() },
      { userId: 'reader', itemId, type: 42 as EngagementType, occurredAt: at() },
      { userId: 'reader', itemId, type: EngagementType.CLICK, occurredAt: at() },
    ];
    const outcome = await client.recordEngagement({ events });
    expect(outcome).toMatchObject({ accepted: 2, rejected: 2, duplicates: 0 });
    expect(outcome.errors.map((e) => [e.index, e.field])).toEqual([
      [1, 'user_id'],
      [2, 'type'],
    ]);
    expect(outcome.errors[0]!.reason).toMatch(/^must not contain U\+0000/);
  });

  it('Connect JSON: U+0000 in one record fails only that record', async () => {
    const occurredAt = new Date(Date.now() - 2000).toISOString();
    const { status, body } = await connectJson('RecordEngagement', {
      events: [
        { userId: 'other', itemId, type: 'ENGAGEMENT_TYPE_SHARE', occurredAt },
        { userId: 'reader', itemId: `${itemId}\u0000`, type: 'ENGAGEMENT_TYPE_SHARE', occurredAt },
      ],
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ accepted: 1, rejected: 1, errors: [{ index: 1, field: 'item_id' }] });
  });

  it('a batch whose only record is bad is InvalidArgument naming events[0].<field>', async () => {
    const { code, message } = await codeOf(client.recordEngagement({ events: [{ userId: 'reader', itemId: `${itemId}\u0000`, type: EngagementType.VIEW, occurredAt: at() }] }));
    expect(code).toBe(Code.InvalidArgument);
    expect(message).toMatch(/^events\[0\]\.item_id:/);
  });

  it('the strict JSON route: U+0000 or a lone surrogate in a user id is that record\'s error; an unknown key with U+0000 is not echoed', async () => {
    const occurredAt = new Date(Date.now() - 3000).toISOString();
    const response = await fetch(`http://${app.address}/v1/engagement`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        events: [
          { user_id: NUL, item_id: itemId, type: 'view', occurred_at: occurredAt },
          { user_id: 'reader', item_id: itemId, type: 'hide', occurred_at: occurredAt, [`x${NUL}`]: 1 },
          { user_id: 'reader', item_id: itemId, type: 'hide', occurred_at: occurredAt },
          { user_id: 'reader\udbff', item_id: itemId, type: 'view', occurred_at: occurredAt },
        ],
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { accepted: number; errors: Array<{ index: number; field: string; reason: string }> };
    expect(body.accepted).toBe(1);
    expect(body.errors).toEqual([
      { index: 0, field: 'user_id', reason: 'must not contain U+0000 (at 1)' },
      { index: 1, field: '', reason: 'holds a key that is not a field of an engagement event' },
      { index: 3, field: 'user_id', reason: 'must not contain a lone surrogate U+DBFF (at 6)' },
    ]);
  });
});

describe('Publish: the same request_id with another payload is a conflict', () => {
  it('replays the same payload; refuses another one with AlreadyExists naming request_id, through Redis and through Postgres', async () => {
    const first = await client.publish({ requestId: 'idem-1', authorId: 'author', payload: article('Hello', 'world') });
    expect(first.replay).toBe(false);
    // The same payload, encoded differently (Connect JSON, fields in another order): a replay.
    const again = await connectJson('Publish', { article: { body: 'world', title: 'Hello' }, authorId: 'author', requestId: 'idem-1' });
    expect(again).toMatchObject({ status: 200, body: { itemId: first.itemId, replay: true } });

    const conflict = await codeOf(client.publish({ requestId: 'idem-1', authorId: 'author', payload: article('Hello', 'world!') }));
    expect(conflict.code).toBe(Code.AlreadyExists);
    expect(conflict.message).toMatch(/^request_id: already used by this author for a different payload/);

    // Without the Redis claim (expired, or Redis lost it) Postgres decides the same way.
    await stores.redis.del(redisKeys.publishClaim('author', 'idem-1'));
    expect((await codeOf(client.publish({ requestId: 'idem-1', authorId: 'author', payload: { case: 'live', value: { title: 'Hello', streamUrl: 'https://e.com/s' } } }))).code).toBe(
      Code.AlreadyExists,
    );
    await stores.redis.del(redisKeys.publishClaim('author', 'idem-1'));
    expect(await client.publish({ requestId: 'idem-1', authorId: 'author', payload: article('Hello', 'world') })).toMatchObject({ itemId: first.itemId, replay: true });

    // An edit keeps the original publish's digest: the original request still replays.
    await client.editItem({ itemId: first.itemId, authorId: 'author', payload: article('Hello, edited', 'world') });
    await stores.redis.del(redisKeys.publishClaim('author', 'idem-1'));
    expect(await client.publish({ requestId: 'idem-1', authorId: 'author', payload: article('Hello', 'world') })).toMatchObject({ itemId: first.itemId, replay: true });

    const { rows } = await stores.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM items WHERE request_id = 'idem-1'");
    expect(rows[0]!.n).toBe(1);
  });
});
