import pg from 'pg';

export interface PgPoolOptions {
  connectionString: string;
  /** Upper bound on open connections; size it per process, Postgres' own limit is shared. */
  max?: number;
  /** Server-side cap on any single statement, so a slow query cannot hold a connection forever. */
  statementTimeoutMs?: number;
  /**
   * Client-side cap on waiting for a query's answer (node-postgres' query_timeout): what the
   * server-side cap cannot cover, a connection gone silent (a partition, a dead host without a
   * reset), where the query waits for TCP keepalive, minutes. Default: the statement timeout plus
   * QUERY_TIMEOUT_MARGIN_MS, none when statements have no timeout.
   */
  queryTimeoutMs?: number;
  /** Shown in pg_stat_activity; name the service so slow queries can be traced to it. */
  applicationName?: string;
  /** How long to wait for a free connection or a new one before failing. */
  connectionTimeoutMs?: number;
  /** Close connections idle for longer than this. */
  idleTimeoutMs?: number;
}

export interface PgPoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export const PG_POOL_DEFAULTS = {
  max: 10,
  statementTimeoutMs: 5_000,
  applicationName: 'feedmesh',
  // Fail fast when Postgres is unreachable or the pool is exhausted, instead of piling up requests.
  connectionTimeoutMs: 2_000,
  idleTimeoutMs: 30_000,
} as const;

/** How long past its statement timeout a query may go unanswered before the client gives up on the connection. */
export const QUERY_TIMEOUT_MARGIN_MS = 2_000;

/** A pg pool with timeouts that fail fast and an error listener that keeps the process alive. */
export function createPgPool(options: PgPoolOptions): pg.Pool {
  const statementTimeoutMs = options.statementTimeoutMs ?? PG_POOL_DEFAULTS.statementTimeoutMs;
  const queryTimeoutMs = options.queryTimeoutMs ?? (statementTimeoutMs > 0 ? statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS : 0);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? PG_POOL_DEFAULTS.max,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? PG_POOL_DEFAULTS.connectionTimeoutMs,
    idleTimeoutMillis: options.idleTimeoutMs ?? PG_POOL_DEFAULTS.idleTimeoutMs,
    statement_timeout: statementTimeoutMs,
    // pg-pool destroys a client released with an error (pool.query does so), so a connection
    // that went silent is not handed out again.
    ...(queryTimeoutMs > 0 ? { query_timeout: queryTimeoutMs } : {}),
    application_name: options.applicationName ?? PG_POOL_DEFAULTS.applicationName,
    keepAlive: true,
  });
  // An idle client can lose its connection (server restart, network blip). pg emits that on the
  // pool; without a listener Node treats it as an unhandled 'error' event and exits. The broken
  // client is already removed from the pool, so the next checkout simply opens a new connection.
  pool.on('error', () => {});
  // A checked-out client reports a lost connection on itself, not on the pool: its query fails
  // with the error anyway, so the event needs a listener only to keep the process alive.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}

/** Connection counts, for a gauge metric. */
export function pgPoolStats(pool: pg.Pool): PgPoolStats {
  return { total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount };
}
