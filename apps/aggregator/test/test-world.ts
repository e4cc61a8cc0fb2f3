// One integration test file's world: its own database (random suffix) and Redis db, a seeded
// data set, the read-path mesh, and (when asked) ingest beside it, with clients for both; close()
// undoes all of it. The test files differ only in what they seed and which settings they pass.
import { randomBytes } from 'node:crypto';
import { FeedService, IngestService } from '@feedmesh/contracts';
import { seed, type SeedOptions } from '@feedmesh/seed';
import { createServiceClient, spawnApp, type ServiceClient, type SpawnedApp } from '@feedmesh/service-kit';
import { createPgPool, deleteFeedmeshKeys, dropDatabase, redisKeys } from '@feedmesh/storage';
import { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { commonEnv, entryOf, startMesh, type Mesh, type MeshOptions } from './feed-mesh.js';

export interface WorldOptions {
  /** Part of the database's name. */
  name: string;
  redisDb: number;
  seed: Partial<Omit<SeedOptions, 'databaseUrl' | 'redisUrl'>>;
  otlpEndpoint?: string;
  mesh?: MeshOptions;
  /** Start ingest beside the mesh with these settings on top of the common ones. */
  ingestEnv?: Record<string, string>;
  /** Runs after the seed, before the apps start (extra rows the apps must see at start). */
  prepare?: (world: { pool: Pool; redis: Redis }) => Promise<void>;
}

export interface TestWorld {
  databaseUrl: string;
  redisUrl: string;
  redis: Redis;
  pool: Pool;
  /** The seeded users, longest home timeline first. */
  users: string[];
  mesh: Mesh;
  feed: ServiceClient<typeof FeedService>;
  /** Present when `ingestEnv` was given. */
  ingest: ServiceClient<typeof IngestService> | undefined;
  close(): Promise<void>;
}

export async function startTestWorld(options: WorldOptions, timeoutMs = 5_000): Promise<TestWorld> {
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_${options.name}_${randomBytes(4).toString('hex')}`;
  const redisUrl = `redis://127.0.0.1:6379/${options.redisDb}`;
  const redis = new Redis(redisUrl);
  await deleteFeedmeshKeys(redis);
  await seed({ databaseUrl, redisUrl, ...options.seed });
  const pool = createPgPool({ connectionString: databaseUrl, max: 2 });
  const userCount = options.seed.users ?? 0;
  const sizes = await Promise.all(Array.from({ length: userCount }, async (_, i) => [`u${i + 1}`, await redis.zcard(redisKeys.homeTimeline(`u${i + 1}`))] as const));
  const users = sizes.sort((a, b) => b[1] - a[1]).map(([u]) => u);
  await options.prepare?.({ pool, redis });
  const env = { databaseUrl, redisUrl, otlpEndpoint: options.otlpEndpoint ?? '' };
  const [mesh, ingestApp] = await Promise.all([
    startMesh(env, options.mesh),
    options.ingestEnv ? spawnApp(entryOf('ingest'), { ...commonEnv(env), ...options.ingestEnv }, { name: 'ingest', timeoutMs: 30_000 }) : undefined,
  ]);
  const feed = createServiceClient(FeedService, { address: mesh.aggregator.address, defaultTimeoutMs: timeoutMs, maxRetries: 0 });
  const ingest = ingestApp && createServiceClient(IngestService, { address: ingestApp.address, defaultTimeoutMs: timeoutMs, maxRetries: 0 });
  return {
    databaseUrl,
    redisUrl,
    redis,
    pool,
    users,
    mesh,
    feed,
    ingest,
    async close() {
      feed.close();
      ingest?.close();
      await Promise.all([mesh.stopAll(), (ingestApp as SpawnedApp | undefined)?.stop()]);
      await pool.end();
      await deleteFeedmeshKeys(redis);
      redis.disconnect();
      await dropDatabase(databaseUrl);
    },
  };
}
