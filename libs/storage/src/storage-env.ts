import { bool, cleanEnv, makeValidator, num, str } from 'envalid';
import type { ClusterNode } from 'ioredis';
import { ensureDatabase } from './database.js';
import { migrate } from './migrate.js';

const positiveInt = makeValidator<number>(function positiveInteger(input) {
  if (!/^[1-9]\d*$/.test(String(input))) throw new Error(`must be a positive integer, got ${JSON.stringify(input)}`);
  return Number(input);
});

const redisKeyPrefix = makeValidator<string>(function keyPrefix(input) {
  if (!/^[A-Za-z0-9_.-]+:$/.test(input)) throw new Error(`must be letters, digits, "_", "." or "-" ending in ":", got ${JSON.stringify(input)}`);
  return input;
});

/**
 * The shape of the data every writer and reader shares: the key namespace and the sizes of the
 * zsets and read-model snapshots. Every process touching the same Redis must be given the same
 * values; storage reads them once, when it loads (see `sharedDataSettings`).
 */
export const sharedDataEnvSpec = {
  REDIS_KEY_PREFIX: redisKeyPrefix({
    default: 'fm:',
    desc: 'Namespace of every Redis key, so several deployments (or concurrent test runs) share one Redis without seeing each other\'s keys',
  }),
  TIMELINE_MAX_LENGTH: positiveInt({ default: 800, desc: 'Entries kept in a home timeline zset' }),
  AUTHOR_RECENT_MAX: positiveInt({ default: 200, desc: 'Entries kept in an author\'s recent-items zset' }),
  FANOUT_PULL_THRESHOLD: positiveInt({
    default: 10_000,
    desc: 'Hybrid fan-out: items of an author with more followers are not pushed into follower timelines; recall pulls such authors\' recent zsets at read time',
  }),
  TRENDING_MAX_LENGTH: positiveInt({ default: 1_000, desc: 'Entries kept in each trending zset' }),
  TOPIC_RECENT_MAX: positiveInt({ default: 500, desc: 'Entries kept in each topic\'s recent-items zset' }),
  TRENDING_HALF_LIFE_MS: positiveInt({
    default: 6 * 60 * 60 * 1000,
    desc: 'Trending half-life: an item needs twice the weighted engagement of one published this much later to rank the same',
  }),
  PUBLISH_CLAIM_TTL_S: positiveInt({ default: 30, desc: 'Lifetime of a publish idempotency claim in Redis' }),
  FRESH_ITEMS_MAX: positiveInt({ default: 1_000, desc: 'Entries kept in the fresh-items zset (recall\'s "fresh" source)' }),
  USER_AFFINITY_MAX_ROWS: positiveInt({ default: 5_000, desc: 'Strongest author affinities a user\'s read-model snapshot keeps' }),
  USER_INTEREST_TOPICS_MAX: positiveInt({ default: 20, desc: 'Heaviest topics a user\'s read-model snapshot keeps' }),
  USER_PULLED_AUTHORS_MAX: positiveInt({ default: 100, desc: 'Most-followed pulled authors a user\'s read-model snapshot keeps' }),
};

/** The environment every app with storage reads; apps spread it into their own spec. */
export const storageEnvSpec = {
  DATABASE_URL: str({ default: 'postgres://postgres@127.0.0.1:5432/feedmesh', desc: 'Postgres connection URL' }),
  REDIS_URL: str({ default: 'redis://127.0.0.1:6379', desc: 'Redis connection URL (ignored when REDIS_CLUSTER_NODES is set)' }),
  REDIS_CLUSTER_NODES: str({ default: '', desc: 'Redis Cluster seed nodes, host:port,host:port; empty = a single Redis at REDIS_URL' }),
  MIGRATE_ON_START: bool({ default: true, desc: 'Create the database and apply migrations before serving (lock-protected)' }),
  PG_POOL_MAX: num({ default: 10, desc: 'Postgres connections of this process' }),
  PG_STATEMENT_TIMEOUT_MS: num({ default: 5_000, desc: 'Server-side cap on any statement of this process' }),
};

/**
 * The shared data settings, read once from the process environment when storage loads (not part
 * of an app's spec): the key layout and zset sizes are module-level values (`redisKeys`, the feed
 * limits) of every process, tools included. Empty means the default; a bad value throws at load.
 */
export const sharedDataSettings = cleanEnv(withoutEmptyValues(process.env), sharedDataEnvSpec, {
  reporter: ({ errors }) => {
    const bad = Object.entries(errors);
    if (bad.length) throw new Error(`invalid configuration: ${bad.map(([name, e]) => `${name} (${(e as Error).message})`).join('; ')}`);
  },
});

function withoutEmptyValues(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

/** Creates the database and applies migrations when MIGRATE_ON_START says so. */
export async function prepareDatabase(env: { DATABASE_URL: string; MIGRATE_ON_START: boolean }): Promise<void> {
  if (!env.MIGRATE_ON_START) return;
  await ensureDatabase(env.DATABASE_URL);
  await migrate(env.DATABASE_URL);
}

/** createRedis options from the environment: a Cluster when seed nodes are given. */
export function redisTarget(env: { REDIS_URL: string; REDIS_CLUSTER_NODES: string }): { url: string; clusterNodes?: ClusterNode[] } {
  const nodes = env.REDIS_CLUSTER_NODES.split(',').map((n) => n.trim()).filter(Boolean);
  if (nodes.length === 0) return { url: env.REDIS_URL };
  return {
    url: env.REDIS_URL,
    clusterNodes: nodes.map((node) => {
      const match = /^(.+):(\d+)$/.exec(node);
      if (!match) throw new Error(`REDIS_CLUSTER_NODES: "${node}" is not host:port`);
      return { host: match[1]!, port: Number(match[2]) };
    }),
  };
}
