// Fuzzes IngestService, every method over every protocol, on the real app with its in-process
// outbox workers, a fresh database and this run's Redis keys.
import { randomBytes, randomUUID } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { timestampNow } from '@bufbuild/protobuf/wkt';
import {
  contractFiles,
  DeleteItemRequestSchema,
  EditItemRequestSchema,
  EngagementType,
  FollowRequestSchema,
  IngestService,
  PublishRequestSchema,
  RecordEngagementRequestSchema,
  UnfollowRequestSchema,
} from '@feedmesh/contracts';
import { createServiceClient, spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import { createPgPool, deleteFeedmeshKeys, dropDatabase, ensureDatabase, migrate } from '@feedmesh/storage';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe } from 'vitest';
import { examplesByType, withGenericValues, type ShapeContext } from '../src/index.js';
import { fuzzService, settings } from './support/fuzz-suite.js';
import { entryOf } from './support/servers.js';

const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_fuzz_${randomBytes(4).toString('hex')}`;
const redisUrl = 'redis://127.0.0.1:6379/13';
const userIds = ['author', 'reader', 'f1', 'f2', 'f3'];

let app: SpawnedApp;
let redis: Redis;
let ctx: ShapeContext;

beforeAll(async () => {
  redis = new Redis(redisUrl);
  await deleteFeedmeshKeys(redis);
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const pool = createPgPool({ connectionString: databaseUrl, max: 1 });
  await pool.query('INSERT INTO users (id, handle, display_name) SELECT id, id, id FROM unnest($1::text[]) AS id', [userIds]);
  await pool.end();
  app = await spawnApp(entryOf('ingest'), { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, INGEST_WORKERS: '2', LOG_LEVEL: 'warn' }, { name: 'ingest', timeoutMs: 30_000 });
  // Items that exist, so edits, deletes and engagement reach past the lookups.
  const ingest = createServiceClient(IngestService, { address: app.address, defaultTimeoutMs: 10_000, maxRetries: 0 });
  // The setup's own requests, each answered OK, are the seed corpus the mutations start from.
  const publishes = [0, 1, 2].map((i) =>
    create(PublishRequestSchema, { requestId: randomUUID(), authorId: 'author', payload: { case: 'article', value: { title: `Item ${i}`, body: 'Body' } } }),
  );
  const items = (await Promise.all(publishes.map((p) => ingest.publish(p)))).map((r) => r.itemId);
  const requests = [
    ...publishes,
    create(EditItemRequestSchema, { itemId: items[0], authorId: 'author', payload: { case: 'article', value: { title: 'Edited', body: 'New body' } } }),
    create(DeleteItemRequestSchema, { itemId: items[2], authorId: 'author' }),
    create(FollowRequestSchema, { followerId: 'f1', followeeId: 'author' }),
    create(UnfollowRequestSchema, { followerId: 'f2', followeeId: 'author' }),
    create(RecordEngagementRequestSchema, {
      events: [{ userId: 'reader', itemId: items[1], type: EngagementType.VIEW, occurredAt: timestampNow(), dwellMs: 1_500 }],
    }),
  ];
  await ingest.editItem(requests[3] as never);
  await ingest.deleteItem(requests[4] as never);
  await ingest.follow(requests[5] as never);
  await ingest.unfollow(requests[6] as never);
  await ingest.recordEngagement(requests[7] as never);
  ingest.close();
  ctx = {
    pool: withGenericValues({ strings: [...userIds, ...items, randomUUID()] }),
    messages: contractFiles.flatMap((f) => f.messages),
    examples: examplesByType(requests),
  };
}, 120_000);

afterAll(async () => {
  await app?.stop();
  if (redis) {
    await deleteFeedmeshKeys(redis);
    redis.disconnect();
  }
  await dropDatabase(databaseUrl);
});

describe('IngestService (public)', () => fuzzService('IngestService', settings.runsPerRpc, () => ({ app, apps: [app], ctx })));
