import { Code, ConnectError } from '@connectrpc/connect';
import { statusCodeName } from '@feedmesh/otel-connect';

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

/** Connect codes share gRPC's numbering; gRPC's names (OK for 0) label logs and metrics. */
export function grpcCodeName(code: number): string {
  return statusCodeName(code === 0 ? undefined : (code as Code));
}
