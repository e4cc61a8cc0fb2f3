import { randomBytes } from 'node:crypto';
import { seed } from '@feedmesh/seed';
import { createPgPool, dropDatabase } from '@feedmesh/storage';
import type pg from 'pg';
import { FaultMesh, type AppName } from './fault-mesh.js';
import { startRedisServer, type RedisServer } from './redis-server.js';

export interface FaultEnvironment {
  readonly databaseUrl: string;
  readonly redis: RedisServer;
  readonly mesh: FaultMesh;
  /** A small pool on the test's database, for counting rows. */
  readonly pool: pg.Pool;
  /** The seeded user ids (u1 … uN). */
  readonly users: readonly string[];
  close(): Promise<void>;
}

export const SEEDED_USERS = 60;

/**
 * A fresh database and a redis-server of the test's own, seeded with a small data set (the seed
 * tool's generator: users, follows, items of every kind, timelines, the read model), and the
 * mesh's `apps` on them.
 */
export async function startFaultEnvironment(apps: readonly AppName[], env: Partial<Record<AppName, Record<string, string>>> = {}): Promise<FaultEnvironment> {
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_faults_${randomBytes(4).toString('hex')}`;
  const redis = await startRedisServer();
  let pool: pg.Pool | undefined;
  let mesh: FaultMesh | undefined;
  const close = async () => {
    await mesh?.stopAll();
    await pool?.end();
    await redis.destroy();
    await dropDatabase(databaseUrl);
  };
  try {
    await seed({ databaseUrl, redisUrl: redis.url, users: SEEDED_USERS, items: 2_000, seed: 17, days: 3, timelineLength: 400, nowMs: Date.now() - 60_000 });
    pool = createPgPool({ connectionString: databaseUrl, max: 2 });
    mesh = await FaultMesh.start({ databaseUrl, redisUrl: redis.url, apps, env });
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
  const users = Array.from({ length: SEEDED_USERS }, (_, i) => `u${i + 1}`);
  return { databaseUrl, redis, mesh, pool, users, close };
}
