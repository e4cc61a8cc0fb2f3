import path from 'node:path';
import { runner } from 'node-pg-migrate';

/**
 * The SQL migrations ship beside the compiled code (`libs/storage/migrations` next to `dist/`
 * and `src/`), so this resolves the same from the sources, the build and a Docker image that
 * copies the package folder.
 */
export const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'migrations');

/** Table where node-pg-migrate records the migrations that ran. */
export const MIGRATIONS_TABLE = 'pgmigrations';

export interface MigrateOptions {
  /** 'up' (default) applies pending migrations; 'down' reverts the latest `count`. */
  direction?: 'up' | 'down';
  /** How many migrations to apply or revert; all pending for up, 1 for down by default. */
  count?: number;
  /** Receives node-pg-migrate's progress lines; silent by default. */
  log?: (message: string) => void;
}

/**
 * Runs the schema migrations against `url`. Concurrency-safe: node-pg-migrate takes a Postgres
 * advisory lock and here waits for it (instead of failing), so several services starting at once
 * each run `migrate` and only the first applies anything. Pending migrations run in one
 * transaction. Returns the names of the migrations applied.
 */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<string[]> {
  const direction = options.direction ?? 'up';
  const applied = await runner({
    databaseUrl: url,
    dir: MIGRATIONS_DIR,
    migrationsTable: MIGRATIONS_TABLE,
    direction,
    count: options.count ?? (direction === 'up' ? Infinity : 1),
    singleTransaction: true,
    advisoryLockMode: 'wait',
    checkOrder: true,
    log: options.log ?? (() => {}),
  });
  return applied.map((migration) => migration.name);
}
