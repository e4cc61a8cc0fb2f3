import { bool, num, str } from 'envalid';
import type { ClusterNode } from 'ioredis';
import { ensureDatabase } from './database.js';
import { migrate } from './migrate.js';

/** The environment every app with storage reads; apps spread it into their own spec. */
export const storageEnvSpec = {
  DATABASE_URL: str({ default: 'postgres://postgres@127.0.0.1:5432/feedmesh', desc: 'Postgres connection URL' }),
  REDIS_URL: str({ default: 'redis://127.0.0.1:6379', desc: 'Redis connection URL (ignored when REDIS_CLUSTER_NODES is set)' }),
  REDIS_CLUSTER_NODES: str({ default: '', desc: 'Redis Cluster seed nodes, host:port,host:port; empty = a single Redis at REDIS_URL' }),
  MIGRATE_ON_START: bool({ default: true, desc: 'Create the database and apply migrations before serving (lock-protected)' }),
  PG_POOL_MAX: num({ default: 10, desc: 'Postgres connections of this process' }),
  PG_STATEMENT_TIMEOUT_MS: num({ default: 5_000, desc: 'Server-side cap on any statement of this process' }),
};

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
