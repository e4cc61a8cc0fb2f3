import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnectError, type Code } from '@connectrpc/connect';
import { IngestService } from '@feedmesh/contracts';
import { createServiceClient, spawnApp, type ServiceClient, type SpawnedApp } from '@feedmesh/service-kit';
import {
  createPgPool,
  createRedis,
  deleteFeedmeshKeys,
  dropDatabase,
  ensureDatabase,
  HOME_TIMELINE_PLACEHOLDER,
  migrate,
  redisKeys,
  waitForRedis,
  type RedisClient,
} from '@feedmesh/storage';
import type pg from 'pg';

/** Redis db index reserved for the ingest tests. */
export const REDIS_URL = 'redis://127.0.0.1:6379/11';
export const MAIN_ENTRY = path.join(__dirname, '../dist/main.js');
export const WORKER_ENTRY = path.join(__dirname, '../dist/worker.js');

export interface TestStores {
  databaseUrl: string;
  pool: pg.Pool;
  redis: RedisClient;
  close(): Promise<void>;
}

/** A fresh database (schema migrated) and this run's Redis keys (REDIS_KEY_PREFIX) cleared. */
export async function createTestStores(): Promise<TestStores> {
  const databaseUrl = `postgres://postgres@127.0.0.1:5432/feedmesh_test_${randomBytes(6).toString('hex')}`;
  await ensureDatabase(databaseUrl);
  await migrate(databaseUrl);
  const pool = createPgPool({ connectionString: databaseUrl, max: 4, statementTimeoutMs: 30_000 });
  const redis = createRedis({ url: REDIS_URL, commandTimeoutMs: 5_000 });
  await waitForRedis(redis);
  await deleteFeedmeshKeys(redis);
  return {
    databaseUrl,
    pool,
    redis,
    async close() {
      await deleteFeedmeshKeys(redis).catch(() => {});
      redis.disconnect();
      await pool.end();
      await dropDatabase(databaseUrl);
    },
  };
}

export type IngestClient = ServiceClient<typeof IngestService>;

export interface IngestClientOptions {
  /** 10 s unless set. */
  defaultTimeoutMs?: number;
  /** 0 unless set: a test sees each failure as it comes. */
  maxRetries?: number;
}

export interface StartIngestOptions extends IngestClientOptions {
  /** The app's name in its start-up errors; 'ingest' unless set. */
  name?: string;
}

export interface StartedIngest {
  app: SpawnedApp;
  client: IngestClient;
  /** Closes the client and stops the app. */
  stop(): Promise<void>;
}

/** A gRPC client of a spawned ingest app; `close()` it (as `stop()` does for the fixture's own). */
export function clientFor(app: SpawnedApp, options: IngestClientOptions = {}): IngestClient {
  return createServiceClient(IngestService, { address: app.address, defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000, maxRetries: options.maxRetries ?? 0 });
}

/**
 * The built ingest app (dist/main.js) over `stores` and the tests' Redis, logging warnings and
 * above, with `extraEnv` on top (it may override any of those, REDIS_URL and LOG_LEVEL included),
 * and a client of it.
 */
export async function startIngest(stores: TestStores, extraEnv: Record<string, string> = {}, options: StartIngestOptions = {}): Promise<StartedIngest> {
  const app = await spawnApp(MAIN_ENTRY, { DATABASE_URL: stores.databaseUrl, REDIS_URL, LOG_LEVEL: 'warn', ...extraEnv }, { name: options.name ?? 'ingest', timeoutMs: 30_000 });
  const client = clientFor(app, options);
  return {
    app,
    client,
    async stop() {
      client.close();
      await app.stop();
    },
  };
}

export async function insertUsers(pool: pg.Pool, ids: string[]): Promise<void> {
  await pool.query(`INSERT INTO users (id, handle, display_name) SELECT id, id, id FROM unnest($1::text[]) AS id ON CONFLICT DO NOTHING`, [ids]);
}

/**
 * Gives users the home timelines active users have (as recall's rebuild writes them: the
 * placeholder alone). The fan-out and follow backfills write only into timelines that exist:
 * a user without one is inactive, and recall builds theirs when they read.
 */
export async function activateHomeTimelines(redis: RedisClient, userIds: readonly string[]): Promise<void> {
  const pipeline = redis.pipeline();
  for (const userId of userIds) pipeline.zadd(redisKeys.homeTimeline(userId), 0, HOME_TIMELINE_PLACEHOLDER);
  await pipeline.exec();
}

/** Inserts follow edges and sets the denormalized counters as ingest would. */
export async function insertFollows(pool: pg.Pool, followeeId: string, followerIds: string[]): Promise<void> {
  await pool.query('INSERT INTO follows (follower_id, followee_id) SELECT f, $2 FROM unnest($1::text[]) AS f', [followerIds, followeeId]);
  await pool.query(
    `UPDATE users SET follower_count = (SELECT count(*) FROM follows WHERE followee_id = users.id),
                      following_count = (SELECT count(*) FROM follows WHERE follower_id = users.id)
     WHERE id = ANY($1::text[])`,
    [[followeeId, ...followerIds]],
  );
}

/**
 * Waits until the engagement rollup queue is empty (ENGAGEMENT_ROLLUP=async, the default: the
 * counters move in the rollup runner, a moment after RecordEngagement answers); false on timeout.
 */
export function waitForRollup(pool: pg.Pool, timeoutMs = 15_000): Promise<boolean> {
  return waitFor(async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM engagement_rollup_queue')).rows[0]!.n === 0, timeoutMs, 20);
}

/**
 * ingest's stand-alone worker process (`dist/worker.js`: the outbox workers and the rollup runner)
 * over `stores` and the tests' Redis, with `env` on top; resolves once it runs (it reports no
 * "listening", so this waits on its log). Kill it yourself (SIGKILL or SIGTERM).
 */
export async function startWorkerProcess(stores: TestStores, env: Record<string, string>): Promise<ChildProcess> {
  const child = fork(WORKER_ENTRY, [], {
    env: { ...process.env, DATABASE_URL: stores.databaseUrl, REDIS_URL, MIGRATE_ON_START: 'false', LOG_LEVEL: 'info', ...env },
    execPath: process.execPath,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('outbox workers started')) resolve();
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
  });
  return child;
}

/** Polls `check` until it returns true or `timeoutMs` passes; returns the last result. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs = 15_000, intervalMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

export function articlePayload(title: string) {
  return { case: 'article' as const, value: { title, body: 'Some body text', coverUrl: 'https://example.com/c.jpg' } };
}

/** The code and message a call failed with; throws if it succeeded. */
export async function codeOf(call: Promise<unknown>): Promise<{ code: Code; message: string }> {
  try {
    await call;
  } catch (error) {
    const e = ConnectError.from(error);
    return { code: e.code, message: e.rawMessage };
  }
  throw new Error('the call succeeded');
}
