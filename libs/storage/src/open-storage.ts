import type pg from 'pg';
import { checkDatasetBinding } from './dataset-binding.js';
import { databaseNameOf } from './database.js';
import { createPgPool, pgPoolStats, type PgPoolStats } from './pg-pool.js';
import { createRedis, waitForRedis, type RedisClient } from './redis.js';
import { EngagementRepository } from './repositories/engagement-repository.js';
import { FollowsRepository } from './repositories/follows-repository.js';
import { ItemsRepository } from './repositories/items-repository.js';
import { OutboxRepository } from './repositories/outbox-repository.js';
import { PublishClaimsRepository } from './repositories/publish-claims-repository.js';
import { TimelinesRepository } from './repositories/timelines-repository.js';
import { UsersRepository } from './repositories/users-repository.js';
import { ViewerPreferencesRepository } from './repositories/viewer-preferences-repository.js';
import { redisTarget } from './storage-env.js';

/** Every repository, over one pool and one Redis client. */
export interface Repositories {
  items: ItemsRepository;
  users: UsersRepository;
  follows: FollowsRepository;
  engagement: EngagementRepository;
  outbox: OutboxRepository;
  timelines: TimelinesRepository;
  publishClaims: PublishClaimsRepository;
  viewerPreferences: ViewerPreferencesRepository;
}

export function createRepositories(pool: pg.Pool, redis: RedisClient): Repositories {
  return {
    items: new ItemsRepository(pool),
    users: new UsersRepository(pool),
    follows: new FollowsRepository(pool),
    engagement: new EngagementRepository(pool),
    outbox: new OutboxRepository(pool),
    timelines: new TimelinesRepository(redis),
    publishClaims: new PublishClaimsRepository(redis),
    viewerPreferences: new ViewerPreferencesRepository(pool, redis),
  };
}

/** The part of the storage environment (storageEnvSpec) openStorage reads. */
export interface StorageEnv {
  DATABASE_URL: string;
  REDIS_URL: string;
  REDIS_CLUSTER_NODES: string;
}

export interface OpenStorageOptions {
  postgres: {
    /** Shown in pg_stat_activity. */
    applicationName: string;
    max: number;
    /** Defaults to PG_POOL_DEFAULTS.statementTimeoutMs. */
    statementTimeoutMs?: number;
    /** Run one query before returning: fail at start rather than on the first call, with a connection open. */
    checkOnOpen?: boolean;
  };
  redis?: {
    commandTimeoutMs?: number;
    /** How long to wait for Redis at start (default 5 s). */
    readyTimeoutMs?: number;
    /**
     * For a service that works without Redis: told why Redis was not ready at start, and the
     * start goes on (the client keeps reconnecting). Without it, Redis not ready fails the start.
     */
    onUnavailableAtStart?: (error: unknown) => void;
  };
}

export interface Storage extends Repositories {
  pool: pg.Pool;
  redis: RedisClient;
  /** Readiness probes: one round trip each. */
  ping: { postgres(): Promise<unknown>; redis(): Promise<unknown> };
  poolStats(): PgPoolStats;
  /** Disconnects Redis and ends the pool. */
  close(): Promise<void>;
}

/**
 * The Postgres pool, the Redis client and the repositories of a service, set up the same way in
 * every app. The Redis client reconnects by itself after start; its connection errors surface on
 * the commands that fail, so its 'error' events are not reported a second time.
 */
export async function openStorage(env: StorageEnv, options: OpenStorageOptions): Promise<Storage> {
  const pool = createPgPool({
    connectionString: env.DATABASE_URL,
    max: options.postgres.max,
    statementTimeoutMs: options.postgres.statementTimeoutMs,
    applicationName: options.postgres.applicationName,
  });
  let redis: RedisClient | undefined;
  try {
    if (options.postgres.checkOnOpen) await pool.query('select 1');
    redis = createRedis({ ...redisTarget(env), commandTimeoutMs: options.redis?.commandTimeoutMs });
    redis.on('error', () => {});
    const ready = waitForRedis(redis, options.redis?.readyTimeoutMs);
    const onUnavailable = options.redis?.onUnavailableAtStart;
    // Never serve another database's keys (a benchmark seeded into the demo's Redis and prefix).
    const checkBinding = () => checkDatasetBinding(redis!, databaseNameOf(env.DATABASE_URL));
    await (onUnavailable ? ready.then(checkBinding, onUnavailable) : ready.then(checkBinding));
  } catch (error) {
    redis?.disconnect();
    await pool.end().catch(() => {});
    throw error;
  }
  const client = redis;
  return {
    pool,
    redis: client,
    ...createRepositories(pool, client),
    ping: { postgres: () => pool.query('select 1'), redis: () => client.ping() },
    poolStats: () => pgPoolStats(pool),
    async close() {
      client.disconnect();
      await pool.end();
    },
  };
}
