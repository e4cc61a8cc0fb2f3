import { Code, ConnectError } from '@connectrpc/connect';

/** `InvalidArgument` naming the offending field path, e.g. `invalidArgument('events[3].item_id', 'must be a UUID')`. */
export function invalidArgument(field: string, reason: string): ConnectError {
  return new ConnectError(`${field}: ${reason}`, Code.InvalidArgument, { 'x-field-violation': field });
}

export function failedPrecondition(message: string): ConnectError {
  return new ConnectError(message, Code.FailedPrecondition);
}

export function unavailable(message: string): ConnectError {
  return new ConnectError(message, Code.Unavailable);
}

/**
 * Normalises anything a handler threw. ConnectErrors pass through; anything else is an
 * internal error whose details stay in the logs, not in the response.
 */
export function toConnectError(error: unknown): { error: ConnectError; internal: boolean } {
  if (error instanceof ConnectError) return { error, internal: false };
  return { error: new ConnectError('internal error', Code.Internal, undefined, undefined, error), internal: true };
}

/** Connect codes share gRPC's numbering; the names below are gRPC's, for logs and metrics. */
const codeNames: Record<number, string> = {
  0: 'OK',
  1: 'CANCELLED',
  2: 'UNKNOWN',
  3: 'INVALID_ARGUMENT',
  4: 'DEADLINE_EXCEEDED',
  5: 'NOT_FOUND',
  6: 'ALREADY_EXISTS',
  7: 'PERMISSION_DENIED',
  8: 'RESOURCE_EXHAUSTED',
  9: 'FAILED_PRECONDITION',
  10: 'ABORTED',
  11: 'OUT_OF_RANGE',
  12: 'UNIMPLEMENTED',
  13: 'INTERNAL',
  14: 'UNAVAILABLE',
  15: 'DATA_LOSS',
  16: 'UNAUTHENTICATED',
};

export function grpcCodeName(code: number): string {
  return codeNames[code] ?? String(code);
}
