import type { Interceptor } from '@connectrpc/connect';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { headersGetter } from './headers-carrier.js';
import type { TracingInterceptorOptions } from './options.js';
import { resolveOptions } from './options.js';
import { rpcMethodName, rpcSystemOf, startAttributes } from './rpc-attributes.js';
import { runTracedCall } from './traced-call.js';

/**
 * A Connect server interceptor that continues the caller's trace: it extracts `traceparent`,
 * `tracestate` and `baggage` from the request headers with the global propagator, starts a SERVER
 * span named `package.Service/Method`, and runs the handler inside it, so whatever the handler does
 * is a child of that span and sees the caller's baggage.
 */
export function createServerTracingInterceptor(options: TracingInterceptorOptions = {}): Interceptor {
  const { tracer, filter, attributes, legacy } = resolveOptions(options);
  return (next) => (req) => {
    if (!filter(req)) return next(req);
    const remoteContext = propagation.extract(context.active(), req.header, headersGetter);
    const system = rpcSystemOf(req.header);
    const span = tracer.startSpan(
      rpcMethodName(req),
      { kind: SpanKind.SERVER, attributes: { ...startAttributes(req, system, legacy), ...attributes(req) } },
      remoteContext,
    );
    const spanContext = trace.setSpan(remoteContext, span);
    return runTracedCall({ span, spanContext, side: 'server', system, legacy }, next, req);
  };
}
