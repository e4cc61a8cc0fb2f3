// End to end: the built app against a fresh Postgres database, called over gRPC and Connect JSON.
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create, toJson } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import { CandidateSchema, ItemKind, RankingService, RankRequestSchema, type Candidate, type RankResponse } from '@feedmesh/contracts';
import { diversify } from '@feedmesh/feed-core';
import { createServiceClient, spawnApp, type ServiceClient, type SpawnedApp } from '@feedmesh/service-kit';
import { dropDatabase, ensureDatabase, migrate } from '@feedmesh/storage';
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
  return JSON.stringify({ ...shipped, version, diversity: RULES, ...changes }, null, 2);
}

const idsOf = (response: RankResponse) => response.items.map((r) => r.item!.id);
const byId = new Map(candidates.map((c) => [c.item!.id, c]));

beforeAll(async () => {
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    await db.query(`INSERT INTO users (id, handle, display_name) SELECT id, id, id FROM unnest($1::text[]) AS id`, [
      ['reader', 'author-0', 'author-1', 'author-2', 'author-3', 'author-4'],
    ]);
    await db.query(`INSERT INTO user_author_affinity (user_id, author_id, score) VALUES ('reader', 'author-3', 1), ('reader', 'author-1', 0.4)`);
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
  }, { name: 'ranking' });
  client = createServiceClient(RankingService, { address: app.address, defaultTimeoutMs: 20_000, maxMessageBytes: 32 * 1024 * 1024 });
});

afterAll(async () => {
  client?.close();
  await app?.stop();
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
  });
});
