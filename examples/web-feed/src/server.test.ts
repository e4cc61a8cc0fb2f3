// The BFF's routes against fake mesh services (router transports): who is logged in comes from
// the signed cookie only, and that user is who the mesh is asked about and written for.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, createRouterTransport, type ConnectRouter, type Interceptor } from '@connectrpc/connect';
import { FeedItemSchema, FeedService, IngestService, ItemKind, type GetFeedRequest, type PublishRequest, type RecordEngagementRequest } from '@feedmesh/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createWebFeedServer, sessionCookie, type WebFeedServer } from './server.js';

const itemId = '0b6c8f5e-6d1e-4c2a-9b1e-3f2d4c5b6a79';
const article = (id: string) =>
  create(FeedItemSchema, { id, kind: ItemKind.ARTICLE, authorId: 'u9', card: { case: 'article', value: { title: `T ${id}`, excerpt: 'E', coverUrl: 'https://c/1.jpg', readingTimeS: 60 } } });

interface Calls {
  getFeed: GetFeedRequest[];
  publish: PublishRequest[];
  engagement: RecordEngagementRequest[];
  /** The authorization header of every call, in order. */
  authorization: (string | null)[];
}

let server: WebFeedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function start(getFeed: (req: GetFeedRequest) => object = () => ({ items: [article(itemId)], nextCursor: 'c2' }), env: Record<string, string> = {}) {
  const calls: Calls = { getFeed: [], publish: [], engagement: [], authorization: [] };
  const feedRoutes = (router: ConnectRouter) =>
    router.service(FeedService, {
      getFeed: (req, ctx) => {
        calls.authorization.push(ctx.requestHeader.get('authorization'));
        calls.getFeed.push(req);
        return getFeed(req);
      },
    });
  const ingestRoutes = (router: ConnectRouter) =>
    router.service(IngestService, {
      publish: (req, ctx) => {
        calls.authorization.push(ctx.requestHeader.get('authorization'));
        calls.publish.push(req);
        return { itemId: 'new-item', replay: false };
      },
      recordEngagement: (req, ctx) => {
        calls.authorization.push(ctx.requestHeader.get('authorization'));
        calls.engagement.push(req);
        return { accepted: req.events.length };
      },
    });
  const publicDir = mkdtempSync(path.join(tmpdir(), 'web-feed-'));
  writeFileSync(path.join(publicDir, 'index.html'), '<!doctype html><title>feed</title>');
  const config = { ...loadConfig({ DEMO_USERS: '5', COOKIE_SECRET: 'x'.repeat(32), ...env }), engagementMaxDelayMs: 60_000 };
  // The server's own client over the fake transports, with the interceptors it would use (auth).
  const transports = (interceptors: Interceptor[]) => ({
    feed: createRouterTransport(feedRoutes, { transport: { interceptors } }),
    ingest: createRouterTransport(ingestRoutes, { transport: { interceptors } }),
  });
  server = createWebFeedServer(config, { logger: false, publicDir, transports });
  return { app: server.app, calls };
}

async function login(app: WebFeedServer['app'], userId: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/login', payload: { userId } });
  expect(response.statusCode).toBe(200);
  const cookie = response.cookies.find((c) => c.name === sessionCookie)!;
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  expect(cookie.value).not.toBe(userId); // signed
  return `${sessionCookie}=${cookie.value}`;
}

describe('web-feed BFF', () => {
  it('logs a demo user in with a signed cookie; refuses other users, forged and missing cookies', async () => {
    const { app } = start();
    expect((await app.inject({ method: 'POST', url: '/login', payload: { userId: 'u6' } })).statusCode).toBe(400);
    const cookie = await login(app, 'u2');
    expect((await app.inject({ url: '/api/me', headers: { cookie } })).json()).toEqual({ user: 'u2', demoUsers: ['u1', 'u2', 'u3', 'u4', 'u5'] });
    const forged = cookie.replace('u2.', 'u3.');
    expect(forged).not.toBe(cookie);
    expect((await app.inject({ url: '/api/me', headers: { cookie: forged } })).json().user).toBeNull();
    expect((await app.inject({ url: '/api/feed' })).statusCode).toBe(401);
    expect((await app.inject({ url: '/api/feed', headers: { cookie: `${sessionCookie}=u2` } })).statusCode).toBe(401);
  });

  it('GET /api/feed asks for the logged-in user’s page with the cursor and answers typed cards', async () => {
    const { app, calls } = start(() => ({ items: [article(itemId)], nextCursor: 'c2', degraded: true, degradedReasons: ['ranking: unavailable'] }));
    const cookie = await login(app, 'u3');
    const response = await app.inject({ url: '/api/feed?cursor=c1', headers: { cookie } });
    expect(response.statusCode).toBe(200);
    expect(calls.getFeed.map((r) => [r.userId, r.cursor, r.pageSize])).toEqual([['u3', 'c1', 20]]);
    expect(response.json()).toMatchObject({
      cards: [{ id: itemId, kind: 'article', title: `T ${itemId}`, coverUrl: 'https://c/1.jpg' }],
      nextCursor: 'c2',
      degraded: true,
      degradedReasons: ['ranking: unavailable'],
      restarted: false,
    });
  });

  it('an expired paging session: a new first page, marked restarted', async () => {
    const { app, calls } = start((req) => {
      if (req.cursor !== '') throw new ConnectError('request the first page', Code.FailedPrecondition);
      return { items: [article(itemId)], nextCursor: 'c9' };
    });
    const cookie = await login(app, 'u1');
    const response = await app.inject({ url: '/api/feed?cursor=old', headers: { cookie } });
    expect(calls.getFeed.map((r) => r.cursor)).toEqual(['old', '']);
    expect(response.json()).toMatchObject({ nextCursor: 'c9', restarted: true });
  });

  it('a feed that fails is a 503 with the reason', async () => {
    const { app } = start(() => {
      throw new ConnectError('down', Code.Unavailable);
    });
    const cookie = await login(app, 'u1');
    const response = await app.inject({ url: '/api/feed', headers: { cookie } });
    expect(response.statusCode).toBe(503);
    expect(response.json().error).toMatch(/down/);
  });

  it('engagement is recorded for the cookie’s user (a userId in the body is ignored); a like is sent at once', async () => {
    const { app, calls } = start();
    const cookie = await login(app, 'u4');
    const occurredAtMs = Date.now() - 1_000;
    const response = await app.inject({ method: 'POST', url: '/api/engagement', headers: { cookie }, payload: { events: [{ itemId, type: 'LIKE', occurredAtMs, userId: 'u1' }] } });
    expect(response.statusCode).toBe(202);
    expect(calls.engagement).toHaveLength(1);
    const [event] = calls.engagement[0]!.events;
    expect(event!.userId).toBe('u4');
    expect(event!.itemId).toBe(itemId);
    expect(Number(event!.occurredAt!.seconds) * 1000 + event!.occurredAt!.nanos / 1e6).toBe(occurredAtMs);
    // Impressions wait for the batch (here: until close() flushes).
    await app.inject({ method: 'POST', url: '/api/engagement', headers: { cookie }, payload: { events: [{ itemId, type: 'VIEW', dwellMs: 1000 }] } });
    expect(calls.engagement).toHaveLength(1);
    await server!.close();
    server = undefined;
    expect(calls.engagement.map((r) => r.events.length)).toEqual([1, 1]);
  });

  it('bad engagement and non-JSON posts are refused', async () => {
    const { app, calls } = start();
    const cookie = await login(app, 'u4');
    expect((await app.inject({ method: 'POST', url: '/api/engagement', headers: { cookie }, payload: { events: [{ itemId: 'x', type: 'LIKE' }] } })).statusCode).toBe(400);
    const plain = await app.inject({ method: 'POST', url: '/api/engagement', headers: { cookie, 'content-type': 'text/plain' }, payload: JSON.stringify({ events: [{ itemId, type: 'LIKE' }] }) });
    expect(plain.statusCode).toBe(415);
    expect(calls.engagement).toEqual([]);
  });

  it('publishes an article as the logged-in user, with the page’s idempotency key', async () => {
    const { app, calls } = start();
    const cookie = await login(app, 'u5');
    const response = await app.inject({ method: 'POST', url: '/api/publish', headers: { cookie }, payload: { requestId: 'req-12345678', title: 'Hi', body: 'There', authorId: 'u1' } });
    expect(response.json()).toEqual({ itemId: 'new-item', replay: false });
    expect(calls.publish).toHaveLength(1);
    expect(calls.publish[0]).toMatchObject({ requestId: 'req-12345678', authorId: 'u5', payload: { case: 'article', value: { title: 'Hi', body: 'There' } } });
  });

  it('FEEDMESH_TOKEN goes as a bearer token on every call to the mesh; without it, no authorization header', async () => {
    const withToken = start(undefined, { FEEDMESH_TOKEN: 'svc-token' });
    let cookie = await login(withToken.app, 'u2');
    await withToken.app.inject({ url: '/api/feed', headers: { cookie } });
    await withToken.app.inject({ method: 'POST', url: '/api/engagement', headers: { cookie }, payload: { events: [{ itemId, type: 'LIKE' }] } });
    await withToken.app.inject({ method: 'POST', url: '/api/publish', headers: { cookie }, payload: { requestId: 'req-12345678', title: 'Hi', body: 'There' } });
    expect(withToken.calls.authorization).toEqual(['Bearer svc-token', 'Bearer svc-token', 'Bearer svc-token']);
    await server!.close();

    const without = start();
    cookie = await login(without.app, 'u2');
    await without.app.inject({ url: '/api/feed', headers: { cookie } });
    expect(without.calls.authorization).toEqual([null]);
  });

  it('serves the page at /', async () => {
    const { app } = start();
    const response = await app.inject({ url: '/' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    expect(response.body).toContain('<title>feed</title>');
    expect((await app.inject({ url: '/nope.js' })).statusCode).toBe(404);
  });
});
