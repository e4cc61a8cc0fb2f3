import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { Code, ConnectError } from '@connectrpc/connect';
import { statusCodeName } from '@feedmesh/otel-connect';

/**
 * `InvalidArgument` naming the offending field path, e.g. `invalidArgument('events[3].item_id',
 * 'must be a UUID')`: in the `x-field-violation` header (trailer over gRPC) and, for Connect
 * callers, as the standard `google.rpc.BadRequest` detail, which can also name a path a header
 * cannot carry (an unknown JSON key that is the empty string).
 */
export function invalidArgument(field: string, reason: string): ConnectError {
  const description = bounded(reason);
  const error = new ConnectError(`${field}: ${description}`, Code.InvalidArgument, { 'x-field-violation': field });
  error.details.push({ type: 'google.rpc.BadRequest', value: badRequest(field, description) });
  return error;
}

/**
 * Longest message a caller gets. Over gRPC the message (and the BadRequest detail repeating it)
 * travel in the trailers, and grpc-js clients fail the whole HTTP/2 connection, every call on it,
 * with a "Protocol error" once a header block passes 64 KiB: an error that quotes a huge request
 * value must not take the caller's other calls down with it.
 */
export const MAX_ERROR_MESSAGE_CHARS = 1_024;

function bounded(text: string): string {
  return text.length > MAX_ERROR_MESSAGE_CHARS ? `${text.slice(0, MAX_ERROR_MESSAGE_CHARS)}… (${text.length} chars)` : text;
}

/** A request value as an error message quotes it: JSON-quoted, its first 64 characters at most. */
export function quoted(value: string): string {
  return value.length > 64 ? `${JSON.stringify(value.slice(0, 64))}… (${value.length} chars)` : JSON.stringify(value);
}

/** google.rpc.BadRequest { field_violations (1): [FieldViolation { field (1), description (2) }] }, written by hand: no generated type for it here. */
function badRequest(field: string, description: string): Uint8Array {
  const writer = new BinaryWriter();
  writer.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.LengthDelimited).string(field).tag(2, WireType.LengthDelimited).string(description).join();
  return writer.finish();
}

/**
 * A request that is well-formed but refers to something that does not allow it (NotFound,
 * FailedPrecondition, PermissionDenied): the field named in the message and in x-field-violation,
 * like invalidArgument's.
 */
export function fieldError(code: Code, field: string, reason: string): ConnectError {
  return new ConnectError(`${field}: ${bounded(reason)}`, code, { 'x-field-violation': field });
}

export function failedPrecondition(message: string): ConnectError {
  return new ConnectError(bounded(message), Code.FailedPrecondition);
}

/** The internal detail of an error whose message the kit made fit for callers. */
const detailKey = Symbol.for('@feedmesh/service-kit/error-detail');
type WithDetail = ConnectError & { [detailKey]?: unknown };

export interface UnavailableOptions {
  /** The dependency in domain terms ("paging session store"): callers read "<component> is unavailable". */
  component?: string;
  /** What the library said, for the log. */
  cause?: unknown;
}

/**
 * Unavailable because a dependency failed. `detail` (and `cause`) go to the log with the trace id;
 * the caller reads "<component> is unavailable", or "a dependency is unavailable" without one.
 */
export function unavailable(detail: string, options: UnavailableOptions = {}): ConnectError {
  const message = options.component ? `${options.component} is unavailable` : genericMessages[Code.Unavailable]!;
  const error: WithDetail = new ConnectError(message, Code.Unavailable, undefined, undefined, options.cause);
  error[detailKey] = detail;
  return error;
}

/**
 * Codes whose messages usually carry what a library said (a driver error, a host name): callers
 * get a domain message instead. The other codes are the app's own words about the request
 * (InvalidArgument naming the field, NotFound, FailedPrecondition…) and pass unchanged.
 */
const genericMessages: Partial<Record<Code, string>> = {
  [Code.Internal]: 'internal error',
  [Code.Unknown]: 'internal error',
  [Code.DataLoss]: 'internal error',
  [Code.Unavailable]: 'a dependency is unavailable',
};

export interface PublicError {
  /** What the caller gets. */
  error: ConnectError;
  /** What the log gets, when the caller's message leaves something out. */
  log?: { level: 'error' | 'warn'; message: string; detail: unknown };
}

/**
 * The one place where what a handler threw becomes what a caller reads, on both protocols:
 * anything that is not a ConnectError is an internal error; Internal, Unknown, DataLoss and
 * Unavailable errors keep their code but say what failed in domain terms, their detail logged.
 */
export function toPublicError(thrown: unknown): PublicError {
  if (!(thrown instanceof ConnectError)) {
    return {
      error: new ConnectError('internal error', Code.Internal, undefined, undefined, thrown),
      log: { level: 'error', message: 'unhandled error in handler', detail: thrown },
    };
  }
  const generic = genericMessages[thrown.code];
  if (generic === undefined) {
    // A handler's own ConnectError may quote the request without the helpers above.
    if (thrown.rawMessage.length <= MAX_ERROR_MESSAGE_CHARS) return { error: thrown };
    const error = new ConnectError(bounded(thrown.rawMessage), thrown.code, thrown.metadata, undefined, thrown);
    error.details.push(...thrown.details);
    return { error };
  }
  const level = thrown.code === Code.Unavailable ? 'warn' : 'error';
  const message = `call failed: ${grpcCodeName(thrown.code)}`;
  if (detailKey in thrown) {
    const detail = (thrown as WithDetail)[detailKey];
    return { error: thrown, log: { level, message, detail: thrown.cause === undefined ? detail : { detail, cause: thrown.cause } } };
  }
  // Metadata and details of such errors are dropped with the message: they come from the same place.
  return { error: new ConnectError(generic, thrown.code, undefined, undefined, thrown), log: { level, message, detail: thrown } };
}

/** Connect codes share gRPC's numbering; gRPC's names (OK for 0) label logs and metrics. */
export function grpcCodeName(code: number): string {
  return statusCodeName(code === 0 ? undefined : (code as Code));
}

interface FailureLogger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Logs what `toPublicError` left out of the caller's message (call it inside the call's trace context). */
export function logFailure(logger: FailureLogger, log: NonNullable<PublicError['log']>, fields: Record<string, unknown>): void {
  const { detail } = log;
  logger[log.level]({ ...fields, ...(detail instanceof Error ? { err: detail } : { detail }) }, log.message);
}
