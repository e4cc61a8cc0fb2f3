// Recall over real gRPC against a freshly seeded Postgres database and Redis db 7.
import path from 'node:path';
import { Code, ConnectError } from '@connectrpc/connect';
import { fromBinary } from '@bufbuild/protobuf';
import { CandidateBlockSchema, RecallService, SourceStatus, type RecallResponse } from '@feedmesh/contracts';
import { candidateColumns, readUuid, sourcesOfMask } from '@feedmesh/feed-core';
import { createServiceClient, spawnApp, type ServiceClient, type SpawnedApp } from '@feedmesh/service-kit';
import { seed } from '@feedmesh/seed';
import { decodeTimelineMember, deleteFeedmeshKeys, dropDatabase, FANOUT_PULL_THRESHOLD, HOME_TIMELINE_PLACEHOLDER, itemRecordShard, itemRecordsKey, markItemsDeleted, redisKeys } from '@feedmesh/storage';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/feedmesh_test_recall_${process.pid}_${Date.now()}`;
const REDIS_URL = 'redis://127.0.0.1:6379/7';
const entry = path.join(__dirname, '../dist/main.js');

// Generous per-source timeouts: these tests check behaviour, not speed, on a busy machine.
const relaxedTimeouts = {
  RECALL_FOLLOWING_TIMEOUT_MS: '3000',
  RECALL_TRENDING_TIMEOUT_MS: '3000',
  RECALL_INTEREST_TIMEOUT_MS: '3000',
  RECALL_FRESH_TIMEOUT_MS: '3000',
  RECALL_HYDRATE_TIMEOUT_MS: '3000',
};

let pool: pg.Pool;
let redis: Redis;
let app: SpawnedApp;
let client: ServiceClient<typeof RecallService>;
/** A user with a home timeline, interests and at least one followed author on the pull side. */
let userId: string;
let pulledAuthor: string;

beforeAll(async () => {
  expect(FANOUT_PULL_THRESHOLD).toBe(40); // set in vitest.config.ts
  await seed({ databaseUrl: DATABASE_URL, redisUrl: REDIS_URL, users: 300, items: 3000, seed: 7 });
  pool = new pg.Pool({ connectionString: DATABASE_URL, max: 2 });
  redis = new Redis(REDIS_URL);
  const { rows } = await pool.query<{ follower_id: string; followee_id: string }>(
    `SELECT f.follower_id, f.followee_id
     FROM follows f JOIN users u ON u.id = f.followee_id
     WHERE u.follower_count > $1
       AND EXISTS (SELECT 1 FROM user_interests i WHERE i.user_id = f.follower_id)
     ORDER BY f.follower_id, f.followee_id`,
    [FANOUT_PULL_THRESHOLD],
  );
  for (const row of rows) {
    if ((await redis.zcard(redisKeys.homeTimeline(row.follower_id))) > 0 && (await redis.zcard(redisKeys.authorRecent(row.followee_id))) > 0) {
      userId = row.follower_id;
      pulledAuthor = row.followee_id;
      break;
    }
  }
  expect(userId).toBeDefined();
  app = await spawnApp(entry, { DATABASE_URL, REDIS_URL, ...relaxedTimeouts }, { name: 'recall' });
  client = createServiceClient(RecallService, { address: app.address, defaultTimeoutMs: 10_000, maxRetries: 0 });
});

afterAll(async () => {
  client?.close();
  await app?.stop();
  if (redis) await deleteFeedmeshKeys(redis);
  redis?.disconnect();
  await pool?.end();
  await dropDatabase(DATABASE_URL);
});

const statusOf = (res: RecallResponse, name: string) => res.sources.find((s) => s.source === name);

/** recall_home_timeline_rebuilds_total over both outcomes, from the app's /metrics. */
async function rebuildsCounted(): Promise<number> {
  const text = await (await fetch(`http://${app.address}/metrics`)).text();
  return [...text.matchAll(/^recall_home_timeline_rebuilds_total\{[^}]*\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

async function expectInvalid(call: Promise<unknown>, field: string) {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectError);
  expect((error as ConnectError).code).toBe(Code.InvalidArgument);
  expect((error as ConnectError).rawMessage).toContain(field);
}

describe('Recall', () => {
  it('queries every source, dedupes across them and hydrates stats', async () => {
    const res = await client.recall({ userId });
    expect(res.sources.map((s) => s.source)).toEqual(['following', 'trending', 'interest', 'fresh']);
    for (const name of ['following', 'trending', 'interest', 'fresh']) {
      const stats = statusOf(res, name)!;
      expect(stats.status, `${name}: ${stats.error}`).toBe(SourceStatus.OK);
      expect(stats.count).toBeGreaterThan(0);
      expect(stats.latencyMs).toBeGreaterThan(0);
    }
    expect(res.candidates.length).toBeGreaterThan(0);
    expect(res.candidates.length).toBeLessThanOrEqual(500);
    const ids = res.candidates.map((c) => c.item!.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Most recent first.
    const times = res.candidates.map((c) => Number(c.item!.createdAtMs));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Dedupe keeps every source that produced an item.
    expect(res.candidates.some((c) => c.sources.length >= 2)).toBe(true);

    // Stats are the Postgres counters (bigint columns converted).
    const sample = res.candidates.slice(0, 20);
    const { rows } = await pool.query<{ id: string; views: string; likes: string }>(
      'SELECT item_id::text AS id, views, likes FROM item_stats WHERE item_id = ANY($1::uuid[])',
      [sample.map((c) => c.item!.id)],
    );
    for (const row of rows) {
      const c = sample.find((s) => s.item!.id === row.id)!;
      expect(c.stats?.views).toBe(BigInt(row.views));
      expect(c.stats?.likes).toBe(BigInt(row.likes));
    }
    for (const c of res.candidates) expect(c.recallScore).toBeGreaterThanOrEqual(0);
  });

  it('pulls the recent items of followed authors above the fan-out threshold', async () => {
    const newest = decodeTimelineMember((await redis.zrevrange(redisKeys.authorRecent(pulledAuthor), 0, 0))[0]!);
    // The push side never wrote this author into the user's timeline...
    const timeline = (await redis.zrange(redisKeys.homeTimeline(userId), '0', '-1')).map((m) => decodeTimelineMember(m));
    expect(timeline.some((m) => m.authorId === pulledAuthor)).toBe(false);
    // ...yet "following" returns it.
    const res = await client.recall({ userId, sources: ['following'], limit: 5000 });
    const found = res.candidates.find((c) => c.item!.id === newest.id);
    expect(found?.sources).toContain('following');
    expect(found?.item?.authorId).toBe(pulledAuthor);
  });

  it('rebuilds a missing home timeline (an inactive user\'s expired) from the pushed authors the user follows, serves it at once and writes it back with its TTL', async () => {
    // A user whose seeded timeline holds pushed authors' items; the timeline then expires.
    const { rows } = await pool.query<{ follower_id: string }>(
      `SELECT f.follower_id FROM follows f JOIN users u ON u.id = f.followee_id
       WHERE u.follower_count <= $1 AND f.follower_id <> $2 GROUP BY f.follower_id HAVING count(*) >= 3 ORDER BY f.follower_id LIMIT 1`,
      [FANOUT_PULL_THRESHOLD, userId],
    );
    const returning = rows[0]!.follower_id;
    const key = redisKeys.homeTimeline(returning);
    const seeded = (await redis.zrevrange(key, 0, 19)).map((m) => decodeTimelineMember(m).id);
    expect(seeded.length).toBeGreaterThan(0);
    await redis.del(key);

    const res = await client.recall({ userId: returning, sources: ['following'], limit: 5000 });
    expect(statusOf(res, 'following')?.status).toBe(SourceStatus.OK);
    const recalled = new Set(res.candidates.map((c) => c.item!.id));
    // The newest entries the fan-out had pushed are all there again: the first page is not empty.
    expect(seeded.filter((id) => !recalled.has(id))).toEqual([]);
    // Written back for the next read, living RECALL_INACTIVE_AFTER_DAYS (30 by default) from now.
    await expect.poll(() => redis.exists(key)).toBe(1);
    const rebuilt = await redis.zrevrange(key, 0, -1);
    expect(rebuilt).toContain(HOME_TIMELINE_PLACEHOLDER);
    expect(rebuilt.slice(0, seeded.length).map((m) => decodeTimelineMember(m).id)).toEqual(seeded);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(29 * 86_400);
    expect(ttl).toBeLessThanOrEqual(30 * 86_400);
    // A read renews the life of an existing timeline: a timeline without a TTL (seeded) gets one.
    await redis.persist(key);
    await client.recall({ userId: returning, sources: ['following'], limit: 10 });
    expect(await redis.ttl(key)).toBeGreaterThan(29 * 86_400);
  });

  it('keeps a user who follows nobody from rebuilding on every read: the placeholder alone holds the key', async () => {
    const loner = 'loner';
    await pool.query("INSERT INTO users (id, handle, display_name) VALUES ($1, $1, 'Loner')", [loner]);
    const key = redisKeys.homeTimeline(loner);
    await redis.del(key);
    const before = await rebuildsCounted();
    const res = await client.recall({ userId: loner, sources: ['following'], limit: 100 });
    expect(statusOf(res, 'following')?.status).toBe(SourceStatus.OK);
    expect(res.candidates).toHaveLength(0);
    await expect.poll(() => redis.zrange(key, '0', '-1')).toEqual([HOME_TIMELINE_PLACEHOLDER]);
    expect(await rebuildsCounted()).toBe(before + 1);
    await client.recall({ userId: loner, sources: ['following'], limit: 100 });
    expect(await rebuildsCounted()).toBe(before + 1);
  });

  it('drops excluded ids and respects the limit', async () => {
    const first = await client.recall({ userId, limit: 50 });
    expect(first.candidates).toHaveLength(50);
    const excluded = first.candidates.slice(0, 10).map((c) => c.item!.id);
    const second = await client.recall({ userId, limit: 50, excludeIds: excluded });
    expect(second.candidates).toHaveLength(50);
    const ids = new Set(second.candidates.map((c) => c.item!.id));
    for (const id of excluded) expect(ids.has(id)).toBe(false);
  });

  it('restricts to the requested sources', async () => {
    const res = await client.recall({ userId, sources: ['interest', 'trending'] });
    expect(res.sources.map((s) => s.source)).toEqual(['trending', 'interest']);
    for (const c of res.candidates) expect(c.sources.every((s) => s === 'trending' || s === 'interest')).toBe(true);
  });

  it('never returns items the change stream deleted', async () => {
    const before = await client.recall({ userId, sources: ['following'], limit: 20 });
    const victim = before.candidates[0]!.item!.id;
    // What ingest's delete does: the row, then (from the outbox) the read model's tombstone.
    await pool.query('UPDATE items SET status = 2 WHERE id = $1', [victim]);
    await markItemsDeleted(redis, [victim]);
    try {
      const after = await client.recall({ userId, sources: ['following'], limit: 20 });
      expect(after.candidates.map((c) => c.item!.id)).not.toContain(victim);
      expect(after.candidates).toHaveLength(20);
    } finally {
      await pool.query('UPDATE items SET status = 1 WHERE id = $1', [victim]);
      await redis.hdel(itemRecordsKey(itemRecordShard(victim)), victim);
    }
  });

  it('serves the same candidates as one columnar block, bounded by created_before_ms', async () => {
    const nested = await client.recall({ userId, limit: 200 });
    const block = await client.recallBlock({ userId, limit: 200 });
    const columns = candidateColumns(fromBinary(CandidateBlockSchema, block.candidates));
    expect(block.count).toBe(columns.count);
    const asBlock = Array.from({ length: columns.count }, (_, i) => ({
      id: readUuid(columns.ids, i * 16),
      kind: columns.kinds[i],
      authorId: columns.authors[columns.authorIndex[i]!],
      createdAtMs: columns.createdAtMs[i],
      views: columns.views[i],
      sources: sourcesOfMask(columns.sourceMask[i]!, columns.sourceNames),
    }));
    expect(asBlock).toEqual(
      nested.candidates.map((c) => ({
        id: c.item!.id,
        kind: c.item!.kind,
        authorId: c.item!.authorId,
        createdAtMs: Number(c.item!.createdAtMs),
        views: Number(c.stats?.views ?? 0),
        sources: c.sources,
      })),
    );
    const median = asBlock[Math.floor(asBlock.length / 2)]!.createdAtMs!;
    const bounded = await client.recallBlock({ userId, limit: 200, createdBeforeMs: BigInt(median) });
    const boundedColumns = candidateColumns(fromBinary(CandidateBlockSchema, bounded.candidates));
    expect(boundedColumns.count).toBeGreaterThan(0);
    for (let i = 0; i < boundedColumns.count; i++) expect(boundedColumns.createdAtMs[i]).toBeLessThanOrEqual(median);
  });

  it('rejects bad input with InvalidArgument naming the field', async () => {
    await expectInvalid(client.recall({ userId: '' }), 'user_id');
    await expectInvalid(client.recall({ userId: 'a{b}' }), 'user_id');
    await expectInvalid(client.recall({ userId, limit: 5001 }), 'limit');
    await expectInvalid(client.recall({ userId, excludeIds: Array.from({ length: 10_001 }, (_, i) => `x${i}`) }), 'exclude_ids');
    await expectInvalid(client.recall({ userId, sources: ['following', 'nope'] }), 'sources[1]');
  });

  it('answers a user it knows nothing about with what the global sources have', async () => {
    const res = await client.recall({ userId: 'nobody-at-all' });
    expect(statusOf(res, 'following')?.count).toBe(0);
    expect(statusOf(res, 'interest')?.count).toBe(0);
    expect(res.candidates.length).toBeGreaterThan(0);
  });
});

describe('Recall with a slow source (fault injection)', () => {
  let chaos: SpawnedApp;
  let chaosClient: ServiceClient<typeof RecallService>;

  beforeAll(async () => {
    chaos = await spawnApp(
      entry,
      {
        DATABASE_URL,
        REDIS_URL,
        ...relaxedTimeouts,
        MIGRATE_ON_START: 'false',
        FEEDMESH_TEST_HOOKS: 'enable',
        RECALL_SOURCE_DELAY_MS_TRENDING: '5000',
        RECALL_TRENDING_TIMEOUT_MS: '150',
        // Slow and with a long own timeout: only the caller's deadline can cut it short.
        RECALL_SOURCE_DELAY_MS_INTEREST: '5000',
        RECALL_INTEREST_TIMEOUT_MS: '10000',
      },
      { name: 'recall-chaos' },
    );
    chaosClient = createServiceClient(RecallService, { address: chaos.address, defaultTimeoutMs: 10_000, maxRetries: 0 });
    // Warm the channel and the connection pools: the budgets below are about steady state.
    await chaosClient.recall({ userId, sources: ['following', 'fresh'] });
  });

  afterAll(async () => {
    chaosClient?.close();
    await chaos?.stop();
  });

  it('reports the slow source as TIMEOUT and still answers within the budget', async () => {
    const started = performance.now();
    const res = await chaosClient.recall({ userId, sources: ['following', 'trending', 'fresh'] });
    const elapsed = performance.now() - started;
    expect(statusOf(res, 'trending')?.status).toBe(SourceStatus.TIMEOUT);
    expect(statusOf(res, 'trending')?.count).toBe(0);
    expect(statusOf(res, 'trending')?.error).toMatch(/150 ms/);
    expect(statusOf(res, 'following')?.status).toBe(SourceStatus.OK);
    expect(statusOf(res, 'fresh')?.status).toBe(SourceStatus.OK);
    expect(res.candidates.length).toBeGreaterThan(0);
    expect(res.candidates.every((c) => !c.sources.includes('trending'))).toBe(true);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('caps every source by the caller deadline', async () => {
    const started = performance.now();
    const res = await chaosClient.recall({ userId, sources: ['following', 'interest'], limit: 50 }, { timeoutMs: 600 });
    const elapsed = performance.now() - started;
    expect(statusOf(res, 'interest')?.status).toBe(SourceStatus.TIMEOUT);
    expect(statusOf(res, 'following')?.status).toBe(SourceStatus.OK);
    expect(elapsed).toBeLessThan(600);
  });

  it('fails with Unavailable only when every source failed', async () => {
    const error = await chaosClient.recall({ userId, sources: ['trending'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectError);
    expect((error as ConnectError).code).toBe(Code.Unavailable);
    expect((error as ConnectError).rawMessage).toBe('every recall source is unavailable');
    await expect.poll(() => chaos.logs.some((line) => line.includes('trending TIMEOUT'))).toBe(true);
  });
});
