import { Code, ConnectError } from '@connectrpc/connect';
import type { StreamResponse, UnaryResponse } from '@connectrpc/connect';
import type { Context, Span } from '@opentelemetry/api';
import { context, SpanStatusCode } from '@opentelemetry/api';
import type { SpanSide } from './codes.js';
import { codeOfError, isErrorStatus } from './codes.js';
import type { RpcRequest, RpcSystem } from './rpc-attributes.js';
import { endAttributes } from './rpc-attributes.js';

type RpcResponse = UnaryResponse | StreamResponse;

export interface TracedCall {
  readonly span: Span;
  /** The context holding `span`; the call and, for streams, every pull of the response runs in it. */
  readonly spanContext: Context;
  readonly side: SpanSide;
  readonly system: RpcSystem;
  readonly legacy: boolean;
}

/**
 * Runs `next(req)` inside the span's context and ends the span exactly once: when a unary call
 * settles; when a response stream is exhausted, fails, or is closed early by its reader; or when
 * the call's signal aborts first (a client that went away, a deadline, a caller's abort). The
 * abort is the only end a stream gets when its reader just stops pulling: Connect's promise
 * client does not pass `return()` on to interceptors.
 */
export async function runTracedCall(
  call: TracedCall,
  next: (req: RpcRequest) => Promise<RpcResponse>,
  req: RpcRequest,
): Promise<RpcResponse> {
  const onAbort = () => finish(ConnectError.from(req.signal.reason, Code.Canceled));
  const finish = spanFinisher(call, () => req.signal.removeEventListener('abort', onAbort));
  if (req.signal.aborted) onAbort();
  else req.signal.addEventListener('abort', onAbort);
  let res: RpcResponse;
  try {
    res = await context.with(call.spanContext, next, undefined, req);
  } catch (error) {
    finish(error);
    throw error;
  }
  if (!res.stream) {
    finish(undefined);
    return res;
  }
  return { ...res, message: traceAsyncIterable(res.message, call.spanContext, finish) };
}

/**
 * The same for a call whose span does not record (not sampled): nothing to end or to record, so no
 * listeners, only the context, which the call and every pull of a response stream run in.
 */
export async function runUnrecordedCall(
  spanContext: Context,
  next: (req: RpcRequest) => Promise<RpcResponse>,
  req: RpcRequest,
): Promise<RpcResponse> {
  const res = await context.with(spanContext, next, undefined, req);
  if (!res.stream) return res;
  return { ...res, message: traceAsyncIterable(res.message, spanContext, ignoreOutcome) };
}

const ignoreOutcome = () => {};

/** Returns a function that records the outcome on the span and ends it; later calls do nothing. */
function spanFinisher(call: TracedCall, cleanUp: () => void): (error: unknown) => void {
  let ended = false;
  return (error) => {
    if (ended) return;
    ended = true;
    cleanUp();
    const { span } = call;
    const code = error === undefined ? undefined : codeOfError(error, call.side);
    const failed = isErrorStatus(code, call.side);
    span.setAttributes(endAttributes(code, failed, call.system, call.legacy));
    if (failed) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
    }
    span.end();
  };
}

function errorMessage(error: unknown): string {
  if (error instanceof ConnectError) return error.rawMessage;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Wraps a response stream so that each pull runs in `spanContext` (a server-streaming handler's
 * body only executes when pulled, so this is what makes its work children of the server span) and
 * `finish` runs when the stream ends, fails, or its reader stops early.
 */
function traceAsyncIterable<T>(
  iterable: AsyncIterable<T>,
  spanContext: Context,
  finish: (error: unknown) => void,
): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const iterator = context.with(spanContext, () => iterable[Symbol.asyncIterator]());
      return {
        async next() {
          try {
            const result = await context.with(spanContext, () => iterator.next());
            if (result.done) finish(undefined);
            return result;
          } catch (error) {
            finish(error);
            throw error;
          }
        },
        async return(value?: unknown) {
          try {
            // A reader that stops early (`break`) has ended the call by choice; that is no failure.
            const close = iterator.return?.bind(iterator);
            const result = close
              ? await context.with(spanContext, () => close(value))
              : { done: true as const, value: undefined };
            finish(undefined);
            return result;
          } catch (error) {
            finish(error);
            throw error;
          }
        },
      };
    },
  };
}
