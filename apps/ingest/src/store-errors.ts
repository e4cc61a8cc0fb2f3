import { Code, ConnectError } from '@connectrpc/connect';
import { unavailable } from '@feedmesh/service-kit';

// Postgres SQLSTATEs that say "the store cannot serve this now; the same request may succeed
// later": connection exceptions (class 08), the server shutting down or our backend being
// terminated (pg_terminate_backend: 57P01), not accepting connections, too many connections,
// and a statement cancelled by statement_timeout (the transaction rolled back: safe to retry).
const UNAVAILABLE_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '57014']);
// Lost or refused sockets, as Node reports them.
const UNAVAILABLE_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// node-postgres and pg-pool raise these as plain Errors without a code: pool checkout timed out
// (every connection busy), connection lost mid-query, a client that already lost its socket.
const UNAVAILABLE_MESSAGES = /^(timeout exceeded when trying to connect|Connection terminated|Client has encountered a connection error|Client was closed and is not queryable|Cannot use a pool after calling end)/;
// Two transactions collided; the statement was rolled back and the call may simply be retried.
const ABORTED_SQLSTATES = new Set(['40001', '40P01']);

/**
 * The gRPC error a Postgres failure should be answered with, or undefined when it is not a
 * failure of the store's availability (then it stays an internal error). Unavailable is what
 * clients (and the kit's client) retry; callers read "the item store is unavailable", the
 * driver's text goes to the log.
 */
export function storeFailure(error: unknown): ConnectError | undefined {
  if (error instanceof ConnectError || !(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('08') || UNAVAILABLE_SQLSTATES.has(code) || UNAVAILABLE_ERRNOS.has(code)) return storeUnavailable(error);
    if (ABORTED_SQLSTATES.has(code)) return new ConnectError('the write collided with a concurrent one; retry', Code.Aborted, undefined, undefined, error);
  }
  if (UNAVAILABLE_MESSAGES.test(error.message)) return storeUnavailable(error);
  return undefined;
}

function storeUnavailable(error: Error): ConnectError {
  return unavailable(`postgres: ${error.message}`, { component: 'the item store', cause: error });
}
