/**
 * Postgres transactions of one database in a window, from pg_stat_database (xact_commit +
 * xact_rollback) read before and after it on a connection of our own. A statement sent outside an
 * explicit transaction is one transaction, so for the mesh (pool queries, a few BEGIN…COMMIT
 * blocks) this counts statements and transactions: "pg xacts".
 *
 * Why not pg_stat_statements: it counts calls per statement, but only when the server preloads
 * it (shared_preload_libraries), which needs a restart of a server shared with other runs; the
 * machine's Postgres does not preload it (the extension is installable, its view then errors).
 *
 * The reading connection goes to the same server's `postgres` database, so its own queries are
 * not in the counts; when that is not allowed it reads from the counted database itself and
 * subtracts its own reading (ownXactsPerWindow).
 *
 * Postgres' statistics lag: a backend publishes its counts when it goes idle at most once a
 * second, and an idle backend's last counts only 10 s later (PGSTAT_IDLE_INTERVAL, PostgreSQL
 * 15+). A reading is exact only after every backend has been idle for over 10 s; see the
 * settle step in getfeed-mesh.ts.
 */
import { createPgPool, databaseNameOf } from '@feedmesh/storage';

export interface PgXactReading {
  commits: number;
  rollbacks: number;
}

/** Transactions between two readings less the reader's own; undefined if the counters went back (stats reset). */
export function xactDelta(before: PgXactReading | undefined, after: PgXactReading | undefined, own = 0): number | undefined {
  if (before === undefined || after === undefined) return undefined;
  const commits = after.commits - before.commits;
  const rollbacks = after.rollbacks - before.rollbacks;
  if (commits < 0 || rollbacks < 0) return undefined;
  return Math.max(0, commits + rollbacks - own);
}

export interface PgXactCounter {
  database: string;
  /** Transactions of its own in the counted database between a reading and the next. */
  ownXactsPerWindow: number;
  read(): Promise<PgXactReading | undefined>;
  close(): Promise<void>;
}

const withDatabase = (url: string, name: string) => {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(name)}`;
  return parsed.toString();
};

export async function openPgXactCounter(databaseUrl: string): Promise<PgXactCounter> {
  const database = databaseNameOf(databaseUrl);
  const connect = async (url: string) => {
    const pool = createPgPool({ connectionString: url, max: 1, applicationName: 'feedmesh-bench-stats', idleTimeoutMs: 600_000 });
    try {
      await pool.query('select 1');
      return pool;
    } catch (error) {
      await pool.end();
      throw error;
    }
  };
  let ownXactsPerWindow = 0;
  let pool;
  try {
    pool = await connect(withDatabase(databaseUrl, 'postgres'));
  } catch {
    pool = await connect(databaseUrl);
    // The `before` reading is one transaction in the counted database (the `after` one reads before its own commit).
    ownXactsPerWindow = 1;
  }
  return {
    database,
    ownXactsPerWindow,
    async read() {
      // Outside a transaction every statement sees fresh statistics (stats_fetch_consistency).
      const { rows } = await pool.query<{ commits: string; rollbacks: string }>(
        'select xact_commit as commits, xact_rollback as rollbacks from pg_stat_database where datname = $1',
        [database],
      );
      const row = rows[0];
      return row === undefined ? undefined : { commits: Number(row.commits), rollbacks: Number(row.rollbacks) };
    },
    close: () => pool.end(),
  };
}
