// @feedmesh/client against the real mesh: recall, ranking, render, aggregator and ingest spawned
// from their dist, real Postgres (a database of this file's own) and Redis (db 14, this run's key
// prefix). The node client, over gRPC and over Connect JSON, pages, reports engagement and
// survives an expired paging session.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import { seed } from '@feedmesh/seed';
import { spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import { createPgPool, deleteFeedmeshKeys, dropDatabase, redisKeys } from '@feedmesh/storage';
import { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeedmeshClient, type BatchResult, type FeedmeshClient, type FeedPage, type NodeProtocol, type PagesOptions, type RestartEvent } from '../src/index.js';

const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_client_${randomBytes(4).toString('hex')}`;
const redisUrl = 'redis://127.0.0.1:6379/14';
const pageSize = 20;
const entryOf = (app: string) => path.join(__dirname, '..', '..', '..', 'apps', app, 'dist', 'main.js');

let apps: SpawnedApp[] = [];
let aggregator: SpawnedApp;
let ingest: SpawnedApp;
let redis: Redis;
let pool: Pool;
/** Seeded users, longest home timeline first. */
let users: string[];

beforeAll(async () => {
  redis = new Redis(redisUrl);
  await deleteFeedmeshKeys(redis);
  await seed({ databaseUrl, redisUrl, users: 24, items: 1_200, seed: 31, days: 2, timelineLength: 300, nowMs: Date.now() - 60_000 });
  const sizes = await Promise.all(Array.from({ length: 24 }, async (_, i) => [`u${i + 1}`, await redis.zcard(redisKeys.homeTimeline(`u${i + 1}`))] as const));
  users = sizes.sort((a, b) => b[1] - a[1]).map(([u]) => u);
  pool = createPgPool({ connectionString: databaseUrl, max: 2 });
  const env = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn', OTEL_TRACES_EXPORTER: 'none' };
  const spawn = (app: string, extra: Record<string, string> = {}) => spawnApp(entryOf(app), { ...env, ...extra }, { name: app, timeoutMs: 30_000 });
  const [recall, ranking, render] = await Promise.all([spawn('recall'), spawn('ranking'), spawn('render')]);
  apps = [recall, ranking, render];
  [aggregator, ingest] = await Promise.all([
    spawn('aggregator', { RECALL_ADDR: recall.address, RANKING_ADDR: ranking.address, RENDER_ADDR: render.address, CURSOR_SECRETS: 'client-test-cursor-secret', FEED_DEBUG: 'allow' }),
    spawn('ingest', { INGEST_RUN_WORKER: 'false' }),
  ]);
  apps.push(aggregator, ingest);
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await pool?.end();
  if (redis) await deleteFeedmeshKeys(redis);
  redis?.disconnect();
  await dropDatabase(databaseUrl);
});

/** Throws Unavailable once for the first call `matches` accepts, after the server answered it: a lost answer. */
function loseOneAnswer(matches: (method: string, message: unknown) => boolean): { interceptor: Interceptor; lost: () => number } {
  let lost = 0;
  return {
    lost: () => lost,
    interceptor: (next) => async (req) => {
      const res = await next(req);
      if (lost === 0 && !req.stream && matches(req.method.name, req.message)) {
        lost++;
        throw new ConnectError('the answer was lost on the way back (test)', Code.Unavailable);
      }
      return res;
    },
  };
}

/** Content types of the requests sent, per protocol: proof of what went on the wire. */
const contentTypes = new Map<NodeProtocol, Set<string>>();

function clientFor(protocol: NodeProtocol, interceptors: Interceptor[] = []): FeedmeshClient {
  const seen = contentTypes.get(protocol) ?? new Set<string>();
  contentTypes.set(protocol, seen);
  const record: Interceptor = (next) => (req) => {
    seen.add(req.header.get('content-type') ?? '');
    return next(req);
  };
  return createFeedmeshClient({
    baseUrl: `http://${aggregator.address}`,
    ingestBaseUrl: `http://${ingest.address}`,
    protocol,
    timeoutMs: 10_000,
    flushOnExit: false,
    interceptors: [record, ...interceptors],
  });
}

async function firstPages(client: FeedmeshClient, userId: string, n: number, options: PagesOptions = {}): Promise<FeedPage[]> {
  const pages: FeedPage[] = [];
  for await (const page of client.feed(userId).pages({ pageSize, retry: { backoffMs: 10 }, ...options })) {
    pages.push(page);
    if (pages.length === n) break;
  }
  return pages;
}

const protocols: [NodeProtocol, number][] = [
  ['grpc', 0],
  ['connect', 1],
];

describe.each(protocols)('over %s', (protocol, slot) => {
  // Each protocol gets its own viewers (users are ranked by timeline length: 0, 2, 4... and 1, 3, 5...).
  const viewer = (k: number) => users[slot + 2 * k]!;

  it('pages 3 pages with pages(): cursor carried, no duplicate ids, typed cards of at least two kinds', async () => {
    const client = clientFor(protocol);
    try {
      const pages = await firstPages(client, viewer(0), 3);
      expect(pages.map((p) => p.number)).toEqual([1, 2, 3]);
      expect(pages[0]!.cursor).toBe('');
      expect(pages[1]!.cursor).toBe(pages[0]!.nextCursor);
      expect(pages[2]!.cursor).toBe(pages[1]!.nextCursor);
      for (const page of pages) {
        expect(page.degraded, page.degradedReasons.join(', ')).toBe(false);
        expect(page.degradedReasons).toEqual([]);
        expect(page.cards).toHaveLength(pageSize);
        expect(page.skipped).toBe(0);
      }
      const ids = pages.flatMap((p) => p.cards.map((c) => c.id));
      expect(new Set(ids).size).toBe(3 * pageSize);
      expect([...contentTypes.get(protocol)!]).toEqual([protocol === 'grpc' ? 'application/grpc+proto' : 'application/json']);
      const kinds = new Set(pages.flatMap((p) => p.cards.map((c) => c.kind)));
      expect(kinds.size).toBeGreaterThanOrEqual(2);
      for (const card of pages.flatMap((p) => p.cards)) {
        if (card.kind === 'article') expect(card.title.length).toBeGreaterThan(0);
        if (card.kind === 'video') expect(card.streamUrl).toMatch(/^https?:/);
        if (card.kind === 'live') expect(['scheduled', 'live', 'ended']).toContain(card.status);
      }
    } finally {
      await client.close();
    }
  });

  it('a lost page answer is asked for again with the same cursor: the replayed page, nothing skipped or repeated', async () => {
    const lose = loseOneAnswer((method, message) => method === 'GetFeed' && (message as { cursor: string }).cursor !== '');
    const client = clientFor(protocol, [lose.interceptor]);
    try {
      const pages = await firstPages(client, viewer(1), 3);
      expect(lose.lost()).toBe(1);
      expect(pages.map((p) => p.number)).toEqual([1, 2, 3]);
      const ids = pages.flatMap((p) => p.cards.map((c) => c.id));
      expect(new Set(ids).size).toBe(3 * pageSize);
    } finally {
      await client.close();
    }
  });

  it('reports a LIKE that is stored once, even when the answer to its batch is lost and the batch retried', async () => {
    const lose = loseOneAnswer((method) => method === 'RecordEngagement');
    const client = clientFor(protocol, [lose.interceptor]);
    const userId = viewer(2);
    try {
      const [page] = await firstPages(client, userId, 1);
      const itemId = page!.cards[0]!.id;
      const results: BatchResult[] = [];
      const errors: unknown[] = [];
      const reporter = client.engagement(userId, { retryBackoffMs: 10, onBatch: (r) => results.push(r), onError: (e) => errors.push(e) });
      reporter.like(itemId);
      await reporter.flush();
      expect(errors).toEqual([]);
      expect(lose.lost()).toBe(1);
      expect(results).toHaveLength(1);
      // The first send was stored; its retry (same events, same occurred_at) is a duplicate.
      expect(results[0]!.batch.attempts).toBe(2);
      expect(results[0]!.response).toMatchObject({ accepted: 0, duplicates: 1, rejected: 0 });
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM engagement_events WHERE user_id = $1 AND item_id = $2 AND type = 2', [userId, itemId]);
      expect(Number(rows[0]!.n)).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('an expired paging session (its state deleted from Redis) restarts from the first page once, reported', async () => {
    const client = clientFor(protocol);
    const restarts: RestartEvent[] = [];
    const pages: FeedPage[] = [];
    try {
      for await (const page of client.feed(viewer(3)).pages({ pageSize, debug: true, onRestart: (e) => restarts.push(e) })) {
        pages.push(page);
        if (pages.length === 1) {
          const sessionId = page.debug!.sessionId;
          expect(await redis.del(redisKeys.sessionState(sessionId), redisKeys.sessionServed(sessionId))).toBeGreaterThanOrEqual(1);
        }
        if (pages.length === 3) break;
      }
      expect(restarts).toHaveLength(1);
      expect(restarts[0]!.error.code).toBe(Code.FailedPrecondition);
      expect(restarts[0]!.afterPage).toBe(1);
      expect(pages.map((p) => [p.number, p.restarted])).toEqual([
        [1, false],
        [1, true],
        [2, false],
      ]);
      expect(pages[1]!.debug!.sessionId).not.toBe(pages[0]!.debug!.sessionId);
      expect(pages[2]!.cursor).toBe(pages[1]!.nextCursor);
    } finally {
      await client.close();
    }
  });
});
