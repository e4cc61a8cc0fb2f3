// The interceptors every transport of the client gets, in this order: tracing (a CLIENT span,
// its traceparent in the headers, by @feedmesh/otel-connect: it uses only @opentelemetry/api, so
// it works in the browser too and is a no-op without an SDK), then auth and fixed headers, then
// the app's own. Deadlines are the transport's (`timeoutMs`: Connect sends it as
// connect-timeout-ms / grpc-timeout and enforces it client-side) and per call.
import type { Interceptor } from '@connectrpc/connect';
import { createClientTracingInterceptor, type TracingInterceptorOptions } from '@feedmesh/otel-connect';

/** A bearer token, or a function returning the current one (undefined: no header). */
export type AuthToken = string | (() => string | undefined | Promise<string | undefined>);

/** Sets `authorization: Bearer <token>` on every call. */
export function authInterceptor(token: AuthToken): Interceptor {
  return (next) => async (req) => {
    const value = typeof token === 'function' ? await token() : token;
    if (value) req.header.set('authorization', `Bearer ${value}`);
    return next(req);
  };
}

/** Sets fixed headers on every call (e.g. an API key, a client version). */
export function headersInterceptor(headers: Record<string, string>): Interceptor {
  const entries = Object.entries(headers);
  return (next) => (req) => {
    for (const [name, value] of entries) req.header.set(name, value);
    return next(req);
  };
}

export interface InterceptorOptions {
  auth?: AuthToken;
  headers?: Record<string, string>;
  /** Trace every call with the global OpenTelemetry tracer provider (default true). */
  tracing?: boolean | TracingInterceptorOptions;
  /** Run after the client's own. */
  interceptors?: Interceptor[];
}

export function clientInterceptors(options: InterceptorOptions): Interceptor[] {
  const list: Interceptor[] = [];
  if (options.tracing !== false) list.push(createClientTracingInterceptor(options.tracing === true || options.tracing === undefined ? {} : options.tracing));
  if (options.auth !== undefined) list.push(authInterceptor(options.auth));
  if (options.headers) list.push(headersInterceptor(options.headers));
  list.push(...(options.interceptors ?? []));
  return list;
}
