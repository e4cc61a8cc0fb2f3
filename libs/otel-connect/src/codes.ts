import { Code, ConnectError } from '@connectrpc/connect';

/**
 * Status code handling shared by both interceptors.
 *
 * Connect's `Code` enum uses the gRPC status numbering (Canceled = 1 … Unauthenticated = 16), so a
 * Connect code *is* its gRPC status code. gRPC's OK (0) has no `Code` member because Connect signals
 * success by not throwing; here `undefined` stands for OK.
 */

/** gRPC status names (note gRPC spells CANCELLED with two Ls, Connect's enum says Canceled). */
const statusNames: Readonly<Record<Code, string>> = {
  [Code.Canceled]: 'CANCELLED',
  [Code.Unknown]: 'UNKNOWN',
  [Code.InvalidArgument]: 'INVALID_ARGUMENT',
  [Code.DeadlineExceeded]: 'DEADLINE_EXCEEDED',
  [Code.NotFound]: 'NOT_FOUND',
  [Code.AlreadyExists]: 'ALREADY_EXISTS',
  [Code.PermissionDenied]: 'PERMISSION_DENIED',
  [Code.ResourceExhausted]: 'RESOURCE_EXHAUSTED',
  [Code.FailedPrecondition]: 'FAILED_PRECONDITION',
  [Code.Aborted]: 'ABORTED',
  [Code.OutOfRange]: 'OUT_OF_RANGE',
  [Code.Unimplemented]: 'UNIMPLEMENTED',
  [Code.Internal]: 'INTERNAL',
  [Code.Unavailable]: 'UNAVAILABLE',
  [Code.DataLoss]: 'DATA_LOSS',
  [Code.Unauthenticated]: 'UNAUTHENTICATED',
};

/** The numeric gRPC status code: 0 for success, otherwise the Connect code's own number. */
export function grpcStatusCode(code: Code | undefined): number {
  return code ?? 0;
}

/** The gRPC status name used for `rpc.status_code` and `error.type`, e.g. `OK`, `NOT_FOUND`. */
export function statusCodeName(code: Code | undefined): string {
  return code === undefined ? 'OK' : (statusNames[code] ?? String(code));
}

/**
 * The value of the deprecated `rpc.connect_rpc.error_code`: the semconv well-known values are the
 * lower-cased gRPC names (`cancelled`, `not_found`, …).
 */
export function connectErrorCodeName(code: Code): string {
  return statusCodeName(code).toLowerCase();
}

/**
 * Codes that mean the *server* failed. Semconv (gRPC and Connect server spans) counts only these as
 * errors on a server span; the rest (NOT_FOUND, INVALID_ARGUMENT, …) describe the caller's request
 * and are recorded in `rpc.status_code` without marking the span as failed.
 */
const serverErrorCodes: ReadonlySet<Code> = new Set([
  Code.Unknown,
  Code.DeadlineExceeded,
  Code.Unimplemented,
  Code.Internal,
  Code.Unavailable,
  Code.DataLoss,
]);

export type SpanSide = 'client' | 'server';

/** Whether a call that ended with `code` should set span status ERROR (and `error.type`). */
export function isErrorStatus(code: Code | undefined, side: SpanSide): boolean {
  if (code === undefined) return false;
  // On the client every non-OK outcome is a failed call.
  return side === 'client' || serverErrorCodes.has(code);
}

/**
 * The code a failed call ends with. A server handler that throws something other than a
 * ConnectError answers INTERNAL (Connect-ES hides the message from the caller), so the server span
 * says so too; a client only ever sees ConnectErrors, or aborts, which Connect reads as CANCELLED.
 */
export function codeOfError(error: unknown, side: SpanSide): Code {
  if (error instanceof ConnectError) return error.code;
  return side === 'server' ? Code.Internal : ConnectError.from(error).code;
}
