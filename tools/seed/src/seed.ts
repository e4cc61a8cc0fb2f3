import {
  bindDataset,
  createPgPool,
  createRedis,
  databaseNameOf,
  deleteFeedmeshKeys,
  ensureDatabase,
  KEY_PREFIX,
  migrate,
  TIMELINE_MAX_LENGTH,
  waitForRedis,
} from '@feedmesh/storage';
import { Redis } from 'ioredis';
import { copyTable } from './copy-table.js';
import { checkKeysAreFree } from './dataset-guard.js';
import { generateDataset } from './dataset.js';
import { writeReadModel, type ReadModelCounts } from './redis-read-model.js';
import { redisZsets } from './redis-zsets.js';
import { writeZsets } from './redis-writer.js';
import { defaultSeedOptions, type SeedOptions } from './seed-options.js';

export interface SeedResult {
  /** False when --if-empty found data and nothing was written. */
  seeded: boolean;
  rows: Record<string, number>;
  redis: { keys: number; entries: number; deletedKeys: number };
  /** The read model written after the commit (absent when nothing was seeded). */
  readModel?: ReadModelCounts;
  timingsMs: Record<string, number>;
}

/** Tables written by the seed, children first (TRUNCATE order does not matter with CASCADE). */
export const SEEDED_TABLES = [
  'users',
  'follows',
  'items',
  'item_stats',
  'user_author_affinity',
  'user_kind_affinity',
  'user_interests',
  'engagement_events',
] as const;

// Serializes concurrent seeds of the same database (e.g. two `npm start`s).
const SEED_LOCK_ID = 7_412_331_902;

/**
 * Ensures the database, migrates it, bulk-loads the generated dataset with COPY in one
 * transaction and, meanwhile, replaces feedmesh's Redis keys with the matching zsets; once the
 * data is committed, writes the read model of all of it (item records, user hashes, fresh
 * items) while Postgres analyzes. On failure the Postgres transaction rolls back; Redis may hold
 * partial keys until the next seed replaces them. The keys are bound to the database (storage's
 * dataset-binding.ts): keys of another data set are replaced only with `reset`.
 */
export async function seed(overrides: Partial<SeedOptions> = {}): Promise<SeedResult> {
  const options: SeedOptions = { ...defaultSeedOptions(), ...overrides };
  if (options.timelineLength < 1 || options.timelineLength > TIMELINE_MAX_LENGTH) {
    throw new Error(`timelineLength must be within 1..${TIMELINE_MAX_LENGTH}`);
  }
  const log = options.log ?? (() => {});
  const timingsMs: Record<string, number> = {};
  const timed = async <T>(label: string, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    const result = await work();
    timingsMs[label] = Math.round(performance.now() - started);
    log(`${label}: ${timingsMs[label]} ms`);
    return result;
  };
  const result: SeedResult = { seeded: false, rows: {}, redis: { keys: 0, entries: 0, deletedKeys: 0 }, timingsMs };
  const totalStarted = performance.now();

  await timed('ensure database', () => ensureDatabase(options.databaseUrl));
  await timed('migrate', () => migrate(options.databaseUrl));

  // Bulk load: no statement timeout, one connection.
  const pool = createPgPool({ connectionString: options.databaseUrl, max: 1, statementTimeoutMs: 0, applicationName: 'feedmesh-seed' });
  const redisClient = createRedis({ url: options.redisUrl, commandTimeoutMs: 120_000, connectTimeoutMs: 5_000, lazyConnect: true });
  if (!(redisClient instanceof Redis)) throw new Error('seed needs a standalone Redis URL');
  const redis = redisClient;
  try {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_ID]);
      const { rows } = await client.query<{ has_users: boolean }>('SELECT EXISTS (SELECT 1 FROM users) AS has_users');
      if (rows[0]!.has_users && !options.reset) {
        await client.query('ROLLBACK');
        if (options.ifEmpty) {
          log('users table is not empty: nothing to do (--if-empty)');
          return result;
        }
        throw new Error('database already holds data: pass --reset to replace it or --if-empty to keep it');
      }
      const databaseName = databaseNameOf(options.databaseUrl);
      if (!options.reset) {
        await waitForRedis(redis);
        await checkKeysAreFree(redis, databaseName, options.redisUrl);
      }
      if (options.reset) {
        await timed('truncate', () => client.query(`TRUNCATE ${SEEDED_TABLES.join(', ')} CASCADE`));
      }
      const dataset = await timed('generate core', () => generateDataset(options));
      log(`follow edges: ${dataset.graph.followees.length}, items: ${dataset.catalog.count}`);
      // The rows are generated consistent, so skip per-row foreign-key triggers (as pg_restore
      // --disable-triggers does). Needs superuser; without it the load is just slower.
      await client.query('SAVEPOINT replica_role');
      try {
        await client.query(`SET LOCAL session_replication_role = replica`);
      } catch {
        await client.query('ROLLBACK TO SAVEPOINT replica_role');
      }
      // Redis is written while Postgres ingests (Postgres is the slower side and they are separate
      // processes); the transaction commits only once both have succeeded.
      const redisWork = timed('redis (concurrent with COPY)', async () => {
        await waitForRedis(redis);
        result.redis.deletedKeys = await deleteFeedmeshKeys(redis);
        // Bound before the writes: a seed that fails half-way leaves keys a rerun may replace.
        await bindDataset(redis, { database: databaseName, seed: `seed ${options.seed}: ${options.users} users, ${options.items} items over ${options.days} days` });
        Object.assign(result.redis, await writeZsets(redis, redisZsets(dataset, options)));
      });
      redisWork.catch(() => {}); // awaited below; this only stops an early COPY failure leaving it unhandled
      for (const table of dataset.tables) {
        result.rows[table.name] = await timed(`copy ${table.name}`, () => copyTable(client, table));
      }
      await redisWork;
      await timed('commit', () => client.query('COMMIT'));
      // The read model mirrors committed rows only; ANALYZE is Postgres' work, so both at once.
      const settled = await Promise.allSettled([
        timed('analyze', () => client.query(`ANALYZE ${dataset.tables.map((t) => t.name).join(', ')}`)),
        timed('read model', () => writeReadModel(options.redisUrl, dataset, options.readModelLimits)),
      ]);
      for (const outcome of settled) if (outcome.status === 'rejected') throw outcome.reason;
      const readModel = (settled[1] as PromiseFulfilledResult<ReadModelCounts>).value;
      result.readModel = readModel;
      log(
        `read model (${KEY_PREFIX}): ${readModel.users} user hashes (${readModel.userFields} fields), ` +
          `${readModel.itemRecords} item records, ${readModel.freshItems} fresh items in ${timingsMs['read model']} ms`,
      );
      result.seeded = true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  } finally {
    redis.disconnect();
    await pool.end();
  }
  timingsMs.total = Math.round(performance.now() - totalStarted);
  log(`seeded in ${timingsMs.total} ms: ${JSON.stringify(result.rows)}; redis ${result.redis.keys} keys, ${result.redis.entries} entries`);
  return result;
}
