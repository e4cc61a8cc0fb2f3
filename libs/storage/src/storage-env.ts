import { bool, num, str } from 'envalid';
import { ensureDatabase } from './database.js';
import { migrate } from './migrate.js';

/** The environment every app with storage reads; apps spread it into their own spec. */
export const storageEnvSpec = {
  DATABASE_URL: str({ default: 'postgres://postgres@127.0.0.1:5432/feedmesh', desc: 'Postgres connection URL' }),
  REDIS_URL: str({ default: 'redis://127.0.0.1:6379', desc: 'Redis connection URL' }),
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
