// Fuzzes the read path's four services on the real apps: FeedService (public, every method and
// protocol at full strength), RecallService, RankingService and RenderService (internal, fewer cases).
import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import {
  contractFiles,
  FeedService,
  GetFeedRequestSchema,
  RankBlockRequestSchema,
  RankRequestSchema,
  RecallBlockRequestSchema,
  RecallRequestSchema,
  RecallService,
  RenderRequestSchema,
} from '@feedmesh/contracts';
import { seed, userId } from '@feedmesh/seed';
import { createPgPool, deleteFeedmeshKeys, dropDatabase } from '@feedmesh/storage';
import { createServiceClient } from '@feedmesh/service-kit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { examplesByType, withGenericValues, type ShapeContext } from '../src/index.js';
import { fuzzService, settings } from './support/fuzz-suite.js';
import { startReadPath, storesEnv, type ReadPath } from './support/servers.js';

const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_fuzz_${randomBytes(4).toString('hex')}`;
const redisUrl = 'redis://127.0.0.1:6379/13';
const users = 20;

let mesh: ReadPath;
let redis: Redis;
let ctx: ShapeContext;

beforeAll(async () => {
  redis = new Redis(redisUrl);
  await deleteFeedmeshKeys(redis);
  await seed({ databaseUrl, redisUrl, users, items: 400, seed: 5, days: 3, timelineLength: 200, nowMs: Date.now() - 60_000 });
  mesh = await startReadPath(storesEnv(databaseUrl, redisUrl));
  // Real values for the generator's pool: ids that exist, a signed cursor, an encoded candidate block.
  const pool = createPgPool({ connectionString: databaseUrl, max: 1 });
  const items = (await pool.query<{ id: string }>('SELECT id FROM items ORDER BY created_at DESC LIMIT 10')).rows.map((r) => r.id);
  await pool.end();
  const feed = createServiceClient(FeedService, { address: mesh.aggregator.address, defaultTimeoutMs: 10_000, maxRetries: 0 });
  const recall = createServiceClient(RecallService, { address: mesh.recall.address, defaultTimeoutMs: 10_000, maxRetries: 0 });
  // The setup's own requests, each answered OK, are the seed corpus the mutations start from.
  const firstPage = create(GetFeedRequestSchema, { userId: userId(0), pageSize: 5 });
  const page = await feed.getFeed(firstPage);
  const nextPage = create(GetFeedRequestSchema, { userId: userId(0), pageSize: 5, cursor: page.nextCursor, debug: true });
  await feed.getFeed(nextPage);
  const recallRequest = create(RecallRequestSchema, { userId: userId(1), limit: 50 });
  const candidates = (await recall.recall(recallRequest)).candidates.slice(0, 20);
  const blockRequest = create(RecallBlockRequestSchema, { userId: userId(1), limit: 50 });
  const block = await recall.recallBlock(blockRequest);
  feed.close();
  recall.close();
  ctx = {
    pool: withGenericValues({ strings: [...Array.from({ length: 5 }, (_, i) => userId(i)), ...items, page.nextCursor], bytes: [block.candidates] }),
    messages: contractFiles.flatMap((f) => f.messages),
    examples: examplesByType([
      firstPage,
      nextPage,
      recallRequest,
      blockRequest,
      create(RankRequestSchema, { userId: userId(1), candidates, limit: 10 }),
      create(RankBlockRequestSchema, { userId: userId(1), candidates: block.candidates, limit: 10 }),
      create(RenderRequestSchema, { itemIds: items.slice(0, 5), userId: userId(1) }),
    ]),
  };
}, 120_000);

afterAll(async () => {
  await Promise.all((mesh?.all ?? []).map((a) => a.stop()));
  if (redis) {
    await deleteFeedmeshKeys(redis);
    redis.disconnect();
  }
  await dropDatabase(databaseUrl);
});

describe('FeedService (public)', () => fuzzService('FeedService', settings.runsPerRpc, () => ({ app: mesh.aggregator, apps: mesh.all, ctx })));
describe('RecallService (internal)', () => fuzzService('RecallService', settings.runsPerInternalRpc, () => ({ app: mesh.recall, apps: mesh.all, ctx })));
describe('RankingService (internal)', () => fuzzService('RankingService', settings.runsPerInternalRpc, () => ({ app: mesh.ranking, apps: mesh.all, ctx })));
describe('RenderService (internal)', () => fuzzService('RenderService', settings.runsPerInternalRpc, () => ({ app: mesh.render, apps: mesh.all, ctx })));
