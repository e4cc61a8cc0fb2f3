// The BFF: a Fastify app between the page and the mesh. The page talks JSON to it
// (same origin, a signed login cookie); it talks gRPC to the aggregator (FeedService) and ingest
// (IngestService) through @feedmesh/client, as the logged-in user.
import path from 'node:path';
import fastifyCookie from '@fastify/cookie';
import {
  clientInterceptors,
  Code,
  ConnectError,
  createFeedmeshClient,
  createFeedmeshClientFromTransports,
  type EngagementReporter,
  type FeedmeshClient,
  type FeedmeshTransports,
  type FeedPage,
  type Interceptor,
} from '@feedmesh/client';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { FeedPageJson } from './api-types.js';
import type { WebFeedConfig } from './config.js';
import { demoUserIds, isDemoUser } from './demo-users.js';
import { parseEngagement, parsePublish, RequestError } from './requests.js';
import { loadStaticFiles } from './static-files.js';

export const sessionCookie = 'fm_user';
const cookieMaxAgeS = 7 * 24 * 3600;

export interface WebFeedServer {
  app: FastifyInstance;
  client: FeedmeshClient;
  /** Stops accepting, then flushes every engagement reporter and closes the mesh connections. */
  close(): Promise<void>;
}

export interface ServerOptions {
  /** The built page (default: dist/public beside this file). */
  publicDir?: string;
  /** Fastify's logger: true (info, JSON lines), false, or pino options. */
  logger?: boolean | { level: string };
  /**
   * Transports of your own (tests: router transports), given the interceptors the server's calls
   * need (the bearer token); default: gRPC to AGGREGATOR_URL / INGEST_URL.
   */
  transports?: (interceptors: Interceptor[]) => FeedmeshTransports;
}

export function createWebFeedServer(config: WebFeedConfig, options: ServerOptions = {}): WebFeedServer {
  const app = Fastify({ logger: options.logger ?? { level: 'info' }, bodyLimit: 64 * 1024 });
  // A service token allowed to act for the user named in each request (scope act_as_user).
  const auth = config.token || undefined;
  const client = options.transports
    ? createFeedmeshClientFromTransports(options.transports(clientInterceptors({ auth, tracing: false })))
    : createFeedmeshClient({
        baseUrl: config.aggregatorUrl,
        ingestBaseUrl: config.ingestUrl,
        protocol: 'grpc',
        timeoutMs: config.timeoutMs,
        auth,
        // Flushed by close() on SIGTERM instead.
        flushOnExit: false,
      });
  const users = demoUserIds(config.demoUsers);
  const files = loadStaticFiles(options.publicDir ?? path.join(__dirname, 'public'));
  const reporters = new Map<string, EngagementReporter>();

  const reporterOf = (userId: string) => {
    let reporter = reporters.get(userId);
    if (!reporter) {
      reporter = client.engagement(userId, {
        maxDelayMs: config.engagementMaxDelayMs,
        onError: (error) => app.log.warn({ err: error, userId }, 'engagement not recorded'),
        onBatch: ({ batch, response }) => response && app.log.debug({ requestId: batch.requestId, userId, ...response }, 'engagement batch recorded'),
      });
      reporters.set(userId, reporter);
    }
    return reporter;
  };

  app.register(fastifyCookie, { secret: config.cookieSecret });
  // Only JSON bodies: a cross-site <form> can post text/plain or urlencoded without a CORS
  // preflight, not application/json. With SameSite=Lax cookies, that keeps the POSTs same-site.
  app.removeContentTypeParser('text/plain');

  /** The logged-in demo user, or undefined (no cookie, a forged one, or a user beyond DEMO_USERS). */
  const userOf = (request: FastifyRequest): string | undefined => {
    const raw = request.cookies[sessionCookie];
    if (!raw) return undefined;
    const unsigned = request.unsignCookie(raw);
    return unsigned.valid && isDemoUser(unsigned.value, config.demoUsers) ? unsigned.value : undefined;
  };
  const requireUser = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
    const user = userOf(request);
    if (!user) void reply.code(401).send({ error: 'log in first' });
    return user;
  };

  /** A mesh error as an HTTP answer the page can show. */
  const meshError = (reply: FastifyReply, error: unknown, what: string) => {
    const e = ConnectError.from(error);
    app.log.warn({ err: e, code: Code[e.code] }, `${what} failed`);
    const status = e.code === Code.InvalidArgument ? 400 : e.code === Code.Unauthenticated || e.code === Code.PermissionDenied ? 502 : 503;
    return reply.code(status).send({ error: `${what} failed: ${e.rawMessage}`, code: Code[e.code] });
  };

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/api/me', async (request) => ({ user: userOf(request) ?? null, demoUsers: users }));

  app.post('/login', async (request, reply) => {
    const userId = (request.body as { userId?: unknown } | undefined)?.userId;
    if (!isDemoUser(userId, config.demoUsers)) return reply.code(400).send({ error: `userId must be one of u1…u${config.demoUsers}` });
    reply.setCookie(sessionCookie, userId, { signed: true, httpOnly: true, sameSite: 'lax', path: '/', maxAge: cookieMaxAgeS });
    return { user: userId };
  });

  app.post('/logout', async (_request, reply) => {
    reply.clearCookie(sessionCookie, { path: '/' });
    return { user: null };
  });

  app.get('/api/feed', async (request, reply) => {
    const user = requireUser(request, reply);
    if (!user) return reply;
    const cursor = String((request.query as { cursor?: unknown }).cursor ?? '');
    if (cursor.length > 4096) return reply.code(400).send({ error: 'cursor too long' });
    const feed = client.feed(user);
    const pageOptions = { pageSize: config.pageSize, retry: { maxRetries: 1 } };
    let page: FeedPage;
    let restarted = false;
    try {
      try {
        page = await feed.page(cursor, pageOptions);
      } catch (error) {
        // An expired paging session: "request the first page", and tell the page to start over.
        if (cursor === '' || ConnectError.from(error).code !== Code.FailedPrecondition) throw error;
        page = await feed.page('', pageOptions);
        restarted = true;
      }
    } catch (error) {
      return meshError(reply, error, 'the feed');
    }
    const body: FeedPageJson = {
      cards: page.cards,
      nextCursor: page.nextCursor,
      degraded: page.degraded,
      degradedReasons: page.degradedReasons,
      skipped: page.skipped,
      restarted,
    };
    void reply.header('cache-control', 'no-store');
    return body;
  });

  app.post('/api/engagement', async (request, reply) => {
    const user = requireUser(request, reply);
    if (!user) return reply;
    let events;
    try {
      events = parseEngagement(request.body, Date.now());
    } catch (error) {
      if (error instanceof RequestError) return reply.code(400).send({ error: error.message });
      throw error;
    }
    const reporter = reporterOf(user);
    for (const event of events) reporter.track(event);
    // Likes and hides are what the user just did: sent now. Impressions ride the next batch.
    if (events.some((e) => e.type !== 'VIEW')) await reporter.flush();
    return reply.code(202).send({ queued: events.length });
  });

  app.post('/api/publish', async (request, reply) => {
    const user = requireUser(request, reply);
    if (!user) return reply;
    let input;
    try {
      input = parsePublish(request.body);
    } catch (error) {
      if (error instanceof RequestError) return reply.code(400).send({ error: error.message });
      throw error;
    }
    try {
      const { itemId, replay } = await client.ingestService.publish({
        requestId: input.requestId,
        authorId: user,
        payload: { case: 'article', value: { title: input.title, body: input.body, coverUrl: '' } },
      });
      return { itemId, replay };
    } catch (error) {
      return meshError(reply, error, 'publishing');
    }
  });

  // The page: index.html for "/", the built assets by their path.
  app.get('/*', async (request, reply) => {
    const urlPath = request.url.split('?')[0]!;
    const file = files.get(urlPath === '/' ? '/index.html' : urlPath);
    if (!file) return reply.code(404).send({ error: 'not found' });
    void reply.header('content-type', file.contentType);
    void reply.header('cache-control', file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
    void reply.header('x-content-type-options', 'nosniff');
    if (urlPath === '/') void reply.header('content-security-policy', "default-src 'self'; img-src 'self' data:; style-src 'self'; object-src 'none'; base-uri 'none'");
    return reply.send(file.body);
  });

  return {
    app,
    client,
    async close() {
      await app.close();
      await client.close();
    },
  };
}
