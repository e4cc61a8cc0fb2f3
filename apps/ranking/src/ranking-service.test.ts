import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError, createHandlerContext } from '@connectrpc/connect';
import {
  CandidateBlockSchema,
  CandidateSchema,
  ItemKind,
  RankBlockRequestSchema,
  RankBlockResponseSchema,
  RankingService,
  RankRequestSchema,
  RankResponseSchema,
} from '@feedmesh/contracts';
import { blockOfCandidates, rankedEntries, type UserFeatures } from '@feedmesh/feed-core';
import { createLogger, startTelemetry } from '@feedmesh/telemetry';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelStore } from './model/model-store.js';
import { RankingMetrics } from './ranking-metrics.js';
import { createRankingService, USER_FEATURES_HEADER } from './ranking-service.js';
import { UserFeaturesCache } from './user-features/user-features-cache.js';
import { shippedModel } from './model/default-model.js';

type SpanProcessor = NonNullable<Parameters<typeof startTelemetry>[0]['spanProcessors']>[number];
type EndedSpan = Parameters<SpanProcessor['onEnd']>[0];

const ended: EndedSpan[] = [];
startTelemetry({
  serviceName: 'ranking-test',
  spanProcessors: [{ onStart() {}, onEnd: (span) => void ended.push(span), forceFlush: async () => {}, shutdown: async () => {} }],
});

const NOW = 1_750_000_000_000;
const logger = createLogger('ranking-test', { level: 'silent' });

describe('RankingService.rank', () => {
  let dir: string;
  let models: ModelStore;
  let registry: Registry;
  let rank: ReturnType<typeof createRankingService>['rank'];
  let rankBlock: ReturnType<typeof createRankingService>['rankBlock'];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ranking-service-'));
    const file = path.join(dir, 'model.json');
    await writeFile(file, JSON.stringify({ ...shippedModel.scoring, version: 'svc-v1' }));
    models = await ModelStore.open({ file, diversityDefaults: { maxSameKindRun: 2, maxSameAuthorRun: 1, lookahead: 50 }, pollIntervalMs: 0, watch: false, logger });
  });
  afterAll(async () => {
    models.close();
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    ended.length = 0;
    registry = new Registry();
    const userFeatures = new UserFeaturesCache({
      load: (userId) =>
        userId === 'slow'
          ? new Promise<UserFeatures>(() => {})
          : Promise.resolve({ authorAffinity: new Map([['fav', 1]]), kindAffinity: new Map() }),
      ttlMs: 60_000,
      maxUsers: 10,
    });
    const service = createRankingService({ models, userFeatures, userFeaturesTimeoutMs: 20, metrics: new RankingMetrics(registry), logger });
    rank = service.rank;
    rankBlock = service.rankBlock;
  });

  const candidates = [
    create(CandidateSchema, { item: { id: 'new', kind: ItemKind.VIDEO, authorId: 'other', createdAtMs: BigInt(NOW) } }),
    create(CandidateSchema, { item: { id: 'old-fav', kind: ItemKind.VIDEO, authorId: 'fav', createdAtMs: BigInt(NOW - 3_600_000) } }),
  ];
  const context = () =>
    createHandlerContext({ service: RankingService, method: RankingService.method.rank, protocolName: 'connect', requestMethod: 'POST', url: '/rank' });

  it('ranks with the user features, says so, and records the scoring span', async () => {
    const ctx = context();
    const response = create(RankResponseSchema, await rank(create(RankRequestSchema, { userId: 'u1', candidates, nowMs: BigInt(NOW), debug: true }), ctx));
    expect(response.items.map((i) => i.item?.id)).toEqual(['old-fav', 'new']);
    expect(response.modelVersion).toBe('svc-v1');
    expect(response.featureCount).toBe(5);
    expect(response.breakdowns.map((b) => b.itemId)).toEqual(['old-fav', 'new']);
    expect(ctx.responseHeader.get(USER_FEATURES_HEADER)).toBe('loaded');

    const span = ended.find((s) => s.name === 'feed.ranking.score');
    expect(span?.attributes).toMatchObject({ 'model.version': 'svc-v1', 'feature.count': 5, 'candidate.count': 2, 'user_features.outcome': 'loaded' });
  });

  it('fails open when the features do not come in time: ranked without them, header and metric say so', async () => {
    const ctx = context();
    const response = create(RankResponseSchema, await rank(create(RankRequestSchema, { userId: 'slow', candidates, nowMs: BigInt(NOW) }), ctx));
    expect(response.items.map((i) => i.item?.id)).toEqual(['new', 'old-fav']);
    expect(response.breakdowns).toEqual([]);
    expect(ctx.responseHeader.get(USER_FEATURES_HEADER)).toBe('timeout');
    expect(await registry.getSingleMetricAsString('ranking_user_features_total')).toContain('ranking_user_features_total{outcome="timeout"} 1');
  });

  it('rejects an invalid request before doing any work', async () => {
    const bad = create(RankRequestSchema, { userId: 'u1', candidates: [candidates[0]!, create(CandidateSchema, {})] });
    const error = await Promise.resolve()
      .then(() => rank(bad, context()))
      .then(() => undefined, (e: unknown) => e as ConnectError);
    expect(error?.code).toBe(Code.InvalidArgument);
    expect(error?.rawMessage).toBe('candidates[1].item.id: is required');
    expect(ended).toEqual([]);
  });

  describe('rankBlock', () => {
    const uuid = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    const many = Array.from({ length: 60 }, (_, i) =>
      create(CandidateSchema, {
        item: { id: uuid((i * 37) % 60), kind: [ItemKind.ARTICLE, ItemKind.VIDEO, ItemKind.LIVE][i % 3]!, authorId: i % 4 === 0 ? 'fav' : `a${i % 5}`, createdAtMs: BigInt(NOW - (i % 7) * 3_600_000) },
        sources: i % 2 ? ['following'] : ['trending'],
        stats: { views: BigInt(100 + i), likes: BigInt(i % 6), shares: 0n, hides: 0n },
      }),
    );
    const blockBytes = toBinary(CandidateBlockSchema, create(CandidateBlockSchema, blockOfCandidates(many)));
    const blockContext = () =>
      createHandlerContext({ service: RankingService, method: RankingService.method.rankBlock, protocolName: 'connect', requestMethod: 'POST', url: '/rank-block' });

    it('ranks a block like Rank ranks the same candidates: same order, scores and breakdowns', async () => {
      for (const limit of [0, 10]) {
        const v1 = create(RankResponseSchema, await rank(create(RankRequestSchema, { userId: 'u1', candidates: many, nowMs: BigInt(NOW), limit, debug: true }), context()));
        const ctx = blockContext();
        const res = create(RankBlockResponseSchema, await rankBlock(create(RankBlockRequestSchema, { userId: 'u1', candidates: blockBytes, nowMs: BigInt(NOW), limit, debug: true }), ctx));
        const entries = rankedEntries(res.items!);
        expect(entries.map((e) => e.id)).toEqual(v1.items.map((r) => r.item!.id));
        expect(entries.map((e) => e.score)).toEqual(v1.items.map((r) => r.score));
        expect(entries.map((e) => [e.kind, e.authorId, e.createdAtMs, e.sources])).toEqual(v1.items.map((r) => [r.item!.kind, r.item!.authorId, Number(r.item!.createdAtMs), r.sources]));
        expect(res.breakdowns).toEqual(v1.breakdowns);
        expect(res.modelVersion).toBe('svc-v1');
        expect(res.featureCount).toBe(5);
        expect(ctx.responseHeader.get(USER_FEATURES_HEADER)).toBe('cached');
      }
      const span = ended.filter((s) => s.name === 'feed.ranking.score').at(-1);
      expect(span?.attributes).toMatchObject({ 'model.version': 'svc-v1', 'feature.count': 5, 'candidate.count': 60 });
    });

    it('rejects a malformed block naming the field, before doing any work', async () => {
      const bad = toBinary(CandidateBlockSchema, create(CandidateBlockSchema, { ...blockOfCandidates(many), authorIndex: [99] }));
      const error = await Promise.resolve()
        .then(() => rankBlock(create(RankBlockRequestSchema, { userId: 'u1', candidates: bad }), blockContext()))
        .then(() => undefined, (e: unknown) => e as ConnectError);
      expect(error?.code).toBe(Code.InvalidArgument);
      expect(error?.rawMessage).toMatch(/^candidates: column author_index: /);
      expect(ended).toEqual([]);
    });
  });
});
