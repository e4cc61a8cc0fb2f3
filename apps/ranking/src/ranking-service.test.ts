import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create } from '@bufbuild/protobuf';
import { Code, ConnectError, createHandlerContext } from '@connectrpc/connect';
import { CandidateSchema, ItemKind, RankingService, RankRequestSchema, RankResponseSchema } from '@feedmesh/contracts';
import { defaultModelConfig, type UserFeatures } from '@feedmesh/feed-core';
import { createLogger, startTelemetry } from '@feedmesh/telemetry';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelStore } from './model/model-store.js';
import { RankingMetrics } from './ranking-metrics.js';
import { createRankingService, USER_FEATURES_HEADER } from './ranking-service.js';
import { UserFeaturesCache } from './user-features/user-features-cache.js';

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

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ranking-service-'));
    const file = path.join(dir, 'model.json');
    await writeFile(file, JSON.stringify({ ...defaultModelConfig, version: 'svc-v1' }));
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
    rank = createRankingService({ models, userFeatures, userFeaturesTimeoutMs: 20, metrics: new RankingMetrics(registry), logger }).rank;
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
});
