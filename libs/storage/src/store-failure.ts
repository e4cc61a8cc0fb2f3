// Postgres SQLSTATEs that say "the store cannot serve this now; the same request may succeed
// later": connection exceptions (class 08), the server shutting down or our backend being
// terminated (pg_terminate_backend: 57P01), not accepting connections, too many connections,
// and a statement cancelled by statement_timeout (the transaction rolled back: safe to retry).
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
// Lost or refused sockets, as Node reports them.
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// node-postgres and pg-pool raise these as plain Errors without a code: pool checkout timed out
// (every connection busy), connection lost mid-query, a client that already lost its socket, no
// answer within the client-side query timeout (a connection gone silent: pg-pool.ts).
const UNAVAILABLE_MESSAGES = /^(timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end|Query read timeout)/;
// Two transactions collided; the statement was rolled back and the call may simply be retried.
const ABORTED_SQLSTATES = new Set(['40001', '40P01']);

export const DEADLOCK_DETECTED = '40P01';
export const FOREIGN_KEY_VIOLATION = '23503';

/** The SQLSTATE (or Node errno) of a driver error, if it has one. */
export function sqlStateOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Whether a failure is the connection to Postgres going away (terminated, shut down, reset,
 * refused): nothing about the statement itself, so it may run again as soon as Postgres
 * answers. Narrower than `storeFailureKind`'s unavailable (no statement timeouts, no busy pool).
 */
export function isConnectionLoss(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = sqlStateOf(error);
  if (code !== undefined && (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE')) return true;
  return /^(Connection terminated|Client has encountered a connection error)/.test(error.message);
}

/**
 * Whether a Postgres failure is one of the store's availability (`unavailable`: the store
 * cannot serve now; `aborted`: the statement collided with a concurrent one and was rolled
 * back), or undefined for any other error. Callers map it to their protocol's error.
 */
export function storeFailureKind(error: unknown): 'unavailable' | 'aborted' | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = sqlStateOf(error);
  if (code !== undefined) {
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return 'unavailable';
    if (ABORTED_SQLSTATES.has(code)) return 'aborted';
  }
  if (UNAVAILABLE_MESSAGES.test(error.message)) return 'unavailable';
  return undefined;
}
