// gRPC status codes are the common currency: the Connect transport maps its codes onto them,
// and reports name them ("UNAVAILABLE") rather than print numbers.
import { status } from '@grpc/grpc-js';

export const OK = status.OK;
export const CANCELLED = status.CANCELLED;
export const UNKNOWN = status.UNKNOWN;
export const DEADLINE_EXCEEDED = status.DEADLINE_EXCEEDED;
export const INTERNAL = status.INTERNAL;
export const UNAVAILABLE = status.UNAVAILABLE;

export function statusName(code: number): string {
  return status[code] ?? `CODE_${code}`;
}

const BY_CONNECT_NAME = new Map<string, number>(
  Object.entries(status)
    .filter((entry): entry is [string, number] => typeof entry[1] === 'number')
    .map(([name, code]) => [name.toLowerCase(), code]),
);

/** Connect's error JSON uses snake_case names ("deadline_exceeded"). */
export function codeFromConnectName(name: unknown): number | undefined {
  return typeof name === 'string' ? BY_CONNECT_NAME.get(name) : undefined;
}

/** Connect protocol's fallback when an error response carries no code (connectrpc.com/docs/protocol). */
export function codeFromHttpStatus(httpStatus: number): number {
  switch (httpStatus) {
    case 400:
      return status.INTERNAL;
    case 401:
      return status.UNAUTHENTICATED;
    case 403:
      return status.PERMISSION_DENIED;
    case 404:
      return status.UNIMPLEMENTED;
    case 429:
    case 502:
    case 503:
    case 504:
      return status.UNAVAILABLE;
    default:
      return status.UNKNOWN;
  }
}
