// End to end: the built app against a fresh Postgres database and the run's own Redis key prefix,
// called over gRPC and Connect JSON.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create, toBinary, toJson } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  CandidateBlockSchema,
  CandidateSchema,
  ItemKind,
  RankBlockRequestSchema,
  RankingService,
  RankRequestSchema,
  type Candidate,
  type RankResponse,
} from '@feedmesh/contracts';
import { blockOfCandidates, diversify, rankedEntries } from '@feedmesh/feed-core';
import { createServiceClient, spawnApp, type ServiceClient, type SpawnedApp } from '@feedmesh/service-kit';
import { createRedis, dropDatabase, ensureDatabase, migrate, userReadModelKey, waitForRedis } from '@feedmesh/storage';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

const NOW = 1_750_000_000_000;
const HOUR = 3_600_000;
const RULES = { maxSameKindRun: 2, maxSameAuthorRun: 1 };
const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_ranking_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
const kinds = [ItemKind.ARTICLE, ItemKind.VIDEO, ItemKind.LIVE];

let app: SpawnedApp;
let client: ServiceClient<typeof RankingService>;
let modelDir: string;
let modelFile: string;

/** 40 candidates from 5 authors and 3 kinds, of varied age and engagement. */
const candidates: Candidate[] = Array.from({ length: 40 }, (_, i) =>
  create(CandidateSchema, {
    item: {
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      kind: kinds[(i * 7) % 3]!,
      authorId: `author-${i % 5}`,
      createdAtMs: BigInt(NOW - ((i * 37) % 48) * HOUR),
    },
    sources: i % 4 === 0 ? ['trending'] : ['following'],
    stats: { views: BigInt(100 + i * 10), likes: BigInt(i % 9), shares: BigInt(i % 3), hides: 0n },
  }),
);

async function modelJson(version: string, changes: Record<string, unknown> = {}): Promise<string> {
  const shipped = JSON.parse(await readFile(path.join(__dirname, '../model/default-model.json'), 'utf8')) as Record<string, unknown>;
  // No follow floor (the test reads the affinities Postgres holds back from the breakdowns) and no
  // in-network rule (it checks the score order and diversity alone; src/pipeline tests the rule).
  return JSON.stringify({ ...shipped, version, diversity: RULES, followedAuthorAffinity: 0, inNetwork: { share: 0, outOfNetworkShare: 0, freshMinutes: 0 }, ...changes }, null, 2);
}

const idsOf = (response: RankResponse) => response.items.map((r) => r.item!.id);
const blockOf = (cs: readonly Candidate[]) => toBinary(CandidateBlockSchema, create(CandidateBlockSchema, blockOfCandidates(cs)));
/** Users whose read-model hashes the app writes back to Redis (deleted afterwards). */
const USERS = ['reader', 'switcher'];
const redis = createRedis({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', lazyConnect: true });

/** A sample of the app's /metrics: the series of `name` that has all of `labels` (e.g. `outcome="hit"`). */
async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://${app.address}/metrics`)).text();
  const wanted = labels.split(',');
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && wanted.every((label) => l.slice(0, l.indexOf('}')).includes(label)));
  return line === undefined ? 0 : Number(line.split(' ').at(-1));
}
const byId = new Map(candidates.map((c) => [c.item!.id, c]));

beforeAll(async () => {
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`INSERT INTO users (id, handle, display_name) SELECT id, id, id FROM unnest($1::text[]) AS id`, [
      [...USERS, 'author-0', 'author-1', 'author-2', 'author-3', 'author-4'],
    ]);
    await db.query(`INSERT INTO user_author_affinity (user_id, author_id, score) VALUES ('reader', 'author-3', 1), ('reader', 'author-1', 0.4), ('switcher', 'author-2', 1)`);
    await db.query(`INSERT INTO user_kind_affinity (user_id, kind, score) VALUES ('reader', ${ItemKind.LIVE}, 0.9)`);
  } finally {
    await db.end();
  }

  modelDir = await mkdtemp(path.join(tmpdir(), 'ranking-it-'));
  modelFile = path.join(modelDir, 'model.json');
  await writeFile(modelFile, await modelJson('it-v1'));
  app = await spawnApp(path.join(__dirname, '../dist/main.js'), {
    DATABASE_URL: databaseUrl,
    MIGRATE_ON_START: 'false',
    RANKING_MODEL_FILE: modelFile,
    RANKING_MODEL_POLL_MS: '250',
    // Generous: these tests check that the features are used, not the fail-open path.
    USER_FEATURES_TIMEOUT_MS: '5000',
    // Short, so that a change of the read model in Redis is seen within the test.
    USER_FEATURES_CACHE_TTL_MS: '300',
  }, { name: 'ranking' });
  await waitForRedis(redis);
  client = createServiceClient(RankingService, { address: app.address, defaultTimeoutMs: 20_000, maxMessageBytes: 32 * 1024 * 1024 });
});

afterAll(async () => {
  client?.close();
  await app?.stop();
  // Only what this run wrote: the key prefix is the run's own, but the Redis is shared.
  await redis.del(...USERS.map(userReadModelKey)).catch(() => undefined);
  redis.disconnect();
  await dropDatabase(databaseUrl);
  if (modelDir) await rm(modelDir, { recursive: true, force: true });
});

describe('ranking app', () => {
  it('orders by score, then applies the diversity rules; debug breakdowns add up to the scores', async () => {
    const response = await client.rank({ userId: 'reader', candidates, nowMs: BigInt(NOW), debug: true });
    expect(response.modelVersion).toBe('it-v1');
    expect(response.featureCount).toBe(5);
    expect(new Set(idsOf(response))).toEqual(new Set(byId.keys()));

    // Breakdowns: one per returned item, in the same order; contributions sum to the score.
    expect(response.breakdowns.map((b) => b.itemId)).toEqual(idsOf(response));
    response.breakdowns.forEach((b, k) => {
      expect(b.score).toBe(response.items[k]!.score);
      expect(b.features.reduce((sum, f) => sum + f.contribution, 0)).toBeCloseTo(b.score, 12);
    });
    // The user's affinities from Postgres were used.
    const affinityOf = (authorId: string) =>
      response.breakdowns.find((b) => byId.get(b.itemId)!.item!.authorId === authorId)!.features.find((f) => f.feature === 'author-affinity')!.value;
    expect(affinityOf('author-3')).toBe(1);
    expect(affinityOf('author-1')).toBeCloseTo(0.4, 6);
    expect(affinityOf('author-0')).toBe(0);

    // Before diversity: score descending (ties newest first, then id). After: exactly feed-core's
    // greedy re-rank of that order, and with this mix every run stays within the rules.
    const scoreOf = new Map(response.items.map((r) => [r.item!.id, r.score]));
    const scoreOrder = [...byId.keys()].sort((a, b) => {
      const ca = byId.get(a)!.item!;
      const cb = byId.get(b)!.item!;
      return scoreOf.get(b)! - scoreOf.get(a)! || Number(cb.createdAtMs - ca.createdAtMs) || (a < b ? -1 : 1);
    });
    const keys = { kindOf: (id: string) => byId.get(id)!.item!.kind, authorOf: (id: string) => byId.get(id)!.item!.authorId };
    expect(idsOf(response)).toEqual(diversify(scoreOrder, RULES, keys));
    expect(idsOf(response), 'the fixture must make diversity move items').not.toEqual(scoreOrder);
    const items = response.items.map((r) => r.item!);
    for (let k = 1; k < items.length; k++) {
      expect(items[k]!.authorId, `slot ${k}`).not.toBe(items[k - 1]!.authorId);
      if (k >= 2) expect(items[k]!.kind === items[k - 1]!.kind && items[k]!.kind === items[k - 2]!.kind, `slot ${k}`).toBe(false);
    }
  });

  it('answers Connect JSON the same way, and says the user features were used', async () => {
    const request = create(RankRequestSchema, { userId: 'reader', candidates, nowMs: BigInt(NOW), limit: 10 });
    const res = await fetch(`http://${app.address}/feedmesh.ranking.v1.RankingService/Rank`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(toJson(RankRequestSchema, request)),
    });
    expect(res.status).toBe(200);
    expect(['loaded', 'cached']).toContain(res.headers.get('feedmesh-user-features'));
    const body = (await res.json()) as { items: { item: { id: string }; score: number }[]; modelVersion: string; featureCount: number };
    expect(body.modelVersion).toBe('it-v1');
    expect(body.items).toHaveLength(10);
    const grpc = await client.rank(request);
    expect(body.items.map((i) => i.item.id)).toEqual(idsOf(grpc));
    expect(body.items.map((i) => i.score)).toEqual(grpc.items.map((i) => i.score));
  });

  it('rejects invalid requests naming the field, on both protocols', async () => {
    const missingId = { userId: 'reader', candidates: [candidates[0]!, create(CandidateSchema, { item: { authorId: 'x' } })] };
    const grpcError = await client.rank(missingId).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(grpcError?.code).toBe(Code.InvalidArgument);
    expect(grpcError?.rawMessage).toContain('candidates[1].item.id');

    const res = await fetch(`http://${app.address}/feedmesh.ranking.v1.RankingService/Rank`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ candidates: [] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_argument', message: 'user_id: is required' });
  });

  it('ranks a CandidateBlock (RankBlock) exactly as Rank ranks the same candidates', async () => {
    const candidatesBytes = blockOf(candidates);
    for (const limit of [0, 10]) {
      const v1 = await client.rank({ userId: 'reader', candidates, nowMs: BigInt(NOW), limit, debug: true });
      const block = await client.rankBlock({ userId: 'reader', candidates: candidatesBytes, nowMs: BigInt(NOW), limit, debug: true });
      const entries = rankedEntries(block.items!);
      expect(entries).toHaveLength(limit || candidates.length);
      expect(entries.map((e) => e.id)).toEqual(idsOf(v1));
      expect(entries.map((e) => e.score)).toEqual(v1.items.map((r) => r.score));
      expect(entries.map((e) => [e.kind, e.authorId, e.createdAtMs, e.sources])).toEqual(
        v1.items.map((r) => [r.item!.kind, r.item!.authorId, Number(r.item!.createdAtMs), r.sources]),
      );
      expect(block.breakdowns).toEqual(v1.breakdowns);
      expect([block.modelVersion, block.featureCount]).toEqual([v1.modelVersion, v1.featureCount]);
    }
    // The block's order is the diversified score order, as for Rank (checked in the first test).
    const top = await client.rankBlock({ userId: 'reader', candidates: candidatesBytes, nowMs: BigInt(NOW), limit: 3 });
    expect(rankedEntries(top.items!).map((e) => e.id)).toEqual(idsOf(await client.rank({ userId: 'reader', candidates, nowMs: BigInt(NOW) })).slice(0, 3));
  });

  it('rejects a malformed block naming the candidates field and the column, on both protocols', async () => {
    const good = blockOfCandidates(candidates);
    const cases: Array<[string, Uint8Array]> = [
      ['candidates: column item_ids', toBinary(CandidateBlockSchema, create(CandidateBlockSchema, { ...good, itemIds: good.itemIds.subarray(0, 100) }))],
      ['candidates: column author_index', toBinary(CandidateBlockSchema, create(CandidateBlockSchema, { ...good, authorIndex: good.authorIndex.map(() => 5) }))],
      ['candidates: column likes', toBinary(CandidateBlockSchema, create(CandidateBlockSchema, { ...good, likes: [1, 2] }))],
      ['candidates', new Uint8Array([0x0a, 0xff])],
    ];
    for (const [prefix, bytes] of cases) {
      const error = await client.rankBlock({ userId: 'reader', candidates: bytes }).then(() => undefined, (e: unknown) => ConnectError.from(e));
      expect(error?.code, prefix).toBe(Code.InvalidArgument);
      expect(error?.rawMessage.startsWith(`${prefix}: `), `${prefix} ← ${error?.rawMessage}`).toBe(true);
    }
    const res = await fetch(`http://${app.address}/feedmesh.ranking.v1.RankingService/RankBlock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(toJson(RankBlockRequestSchema, create(RankBlockRequestSchema, { userId: 'reader', candidates: cases[1]![1] }))),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'invalid_argument', message: expect.stringMatching(/^candidates: column author_index: /) });
    const noUser = await client.rankBlock({ userId: '', candidates: blockOf(candidates) }).then(() => undefined, (e: unknown) => ConnectError.from(e));
    expect(noUser?.rawMessage).toBe('user_id: is required');
  });

  it('reads user features from Redis once a first lookup has read them through from Postgres', async () => {
    const affinities = (response: RankResponse) =>
      new Map(response.breakdowns.map((b) => [byId.get(b.itemId)!.item!.authorId, b.features.find((f) => f.feature === 'author-affinity')!.value]));
    const firstPosition = (response: RankResponse, authorId: string) => response.items.findIndex((r) => r.item!.authorId === authorId);
    const misses = await metric('feedmesh_read_model_lookups_total', 'what="user",outcome="miss"');

    // First lookup: not in Redis → Postgres (author-2), written back to the user's hash.
    const before = await client.rank({ userId: 'switcher', candidates, nowMs: BigInt(NOW), debug: true });
    expect(Object.fromEntries(affinities(before))).toEqual({ 'author-0': 0, 'author-1': 0, 'author-2': 1, 'author-3': 0, 'author-4': 0 });
    expect(await metric('feedmesh_read_model_lookups_total', 'what="user",outcome="miss"')).toBe(misses + 1);
    const key = userReadModelKey('switcher');
    await vi.waitFor(async () => expect(await redis.hgetall(key)).toMatchObject({ _: '1', 'a:author-2': '1' }), { timeout: 5_000, interval: 50 });

    // Redis now decides: move the affinity to author-4 there only (Postgres still says author-2).
    await redis.hset(key, 'a:author-4', '1');
    await redis.hdel(key, 'a:author-2');
    const hits = await metric('feedmesh_read_model_lookups_total', 'what="user",outcome="hit"');
    let after = before;
    await vi.waitFor(
      async () => {
        after = await client.rank({ userId: 'switcher', candidates, nowMs: BigInt(NOW), debug: true });
        expect(affinities(after).get('author-4')).toBe(1);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(affinities(after).get('author-2')).toBe(0);
    expect(await metric('feedmesh_read_model_lookups_total', 'what="user",outcome="hit"')).toBeGreaterThan(hits);
    expect(await metric('feedmesh_read_model_lookups_total', 'what="user",outcome="miss"')).toBe(misses + 1);
    // ...and the order follows: author-4 comes up, author-2 goes down.
    expect(firstPosition(after, 'author-4')).toBeLessThan(firstPosition(before, 'author-4'));
    expect(firstPosition(after, 'author-2')).toBeGreaterThan(firstPosition(before, 'author-2'));
  });

  it('counts its user-features cache in cache_events_total', async () => {
    const loads = await metric('cache_events_total', 'cache="ranking_user_features",event="load"');
    const hits = await metric('cache_events_total', 'cache="ranking_user_features",event="hit"');
    // Two calls back to back for one user: the first loads (the cache may hold it from an earlier
    // test only within its 300 ms TTL), the second finds it kept.
    await vi.waitFor(
      async () => {
        await client.rank({ userId: 'reader', candidates, nowMs: BigInt(NOW) });
        await client.rank({ userId: 'reader', candidates, nowMs: BigInt(NOW) });
        expect(await metric('cache_events_total', 'cache="ranking_user_features",event="hit"')).toBeGreaterThan(hits);
      },
      { timeout: 5_000, interval: 50 },
    );
    expect(await metric('cache_events_total', 'cache="ranking_user_features",event="load"')).toBeGreaterThan(loads);
  });

  it('hot-reloads a changed model file without a restart, and keeps it when the next file is bad', async () => {
    const pid = app.child.pid;
    // Freshness only: the newest item must come first.
    await writeFile(modelFile, await modelJson('it-v2', { weights: { freshness: 1 } }));
    await vi.waitFor(async () => expect((await client.rank({ userId: 'reader', candidates, nowMs: BigInt(NOW), limit: 1 })).modelVersion).toBe('it-v2'), {
      timeout: 10_000,
      interval: 100,
    });
    const v2 = await client.rank({ userId: 'reader', candidates, nowMs: BigInt(NOW), limit: 1, debug: true });
    expect(v2.featureCount).toBe(1);
    expect(v2.breakdowns[0]!.features.map((f) => f.feature)).toEqual(['freshness']);
    expect(v2.items[0]!.score).toBe(1);

    // A bad file: rejected with a logged error, it-v2 keeps serving.
    await writeFile(modelFile, await modelJson('it-v3', { weights: { freshness: 1, 'source-boost': 'high' } }));
    await vi.waitFor(() => expect(app.logs.some((line) => line.includes('ranking model file rejected'))).toBe(true), { timeout: 10_000, interval: 100 });
    const rejectedLine = JSON.parse(app.logs.find((line) => line.includes('ranking model file rejected'))!) as { level: string; kept: string; problems: string[] };
    expect(rejectedLine).toMatchObject({ level: 'error', kept: 'it-v2', problems: ['weights.source-boost must be a finite number, got "high"'] });
    expect((await client.rank({ userId: 'reader', candidates, nowMs: BigInt(NOW), limit: 1 })).modelVersion).toBe('it-v2');

    // Back to the shipped model by copying it over: picked up as well.
    await copyFile(path.join(__dirname, '../model/default-model.json'), modelFile);
    await vi.waitFor(async () => expect((await client.rank({ userId: 'reader', candidates, limit: 1 })).modelVersion).toBe('heuristic-v1'), {
      timeout: 10_000,
      interval: 100,
    });
    expect(app.child.pid).toBe(pid);
    expect(app.child.exitCode).toBeNull();
  });

  it('ranks 100,000 candidates in one call', async () => {
    const many = Array.from({ length: 100_000 }, (_, i) =>
      create(CandidateSchema, {
        item: { id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, kind: kinds[i % 3]!, authorId: `author-${i % 997}`, createdAtMs: BigInt(NOW - (i % 5000) * 60_000) },
        sources: i % 2 ? ['following'] : ['trending', 'interest'],
        stats: { views: BigInt(1000 + (i % 777)), likes: BigInt(i % 50), shares: BigInt(i % 7), hides: BigInt(i % 11 === 0 ? 1 : 0) },
      }),
    );
    const response = await client.rank({ userId: 'reader', candidates: many, nowMs: BigInt(NOW) });
    expect(response.items).toHaveLength(100_000);
    expect(new Set(idsOf(response)).size).toBe(100_000);
    const top = await client.rank({ userId: 'reader', candidates: many, nowMs: BigInt(NOW), limit: 20 });
    expect(idsOf(top)).toEqual(idsOf(response).slice(0, 20));

    // The same 100k as one block through RankBlock: the same ranking, whole and as a page.
    const manyBytes = blockOf(many);
    const all = rankedEntries((await client.rankBlock({ userId: 'reader', candidates: manyBytes, nowMs: BigInt(NOW) })).items!);
    expect(all.map((e) => e.id)).toEqual(idsOf(response));
    expect(all.map((e) => e.score)).toEqual(response.items.map((r) => r.score));
    const page = rankedEntries((await client.rankBlock({ userId: 'reader', candidates: manyBytes, nowMs: BigInt(NOW), limit: 20 })).items!);
    expect(page.map((e) => e.id)).toEqual(idsOf(top));
  });
});
