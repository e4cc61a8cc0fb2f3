import type { Interceptor } from '@connectrpc/connect';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { headersGetter } from './headers-carrier.js';
import type { TracingInterceptorOptions } from './options.js';
import { resolveOptions } from './options.js';
import { rpcMethodName, rpcSystemOf, startAttributes } from './rpc-attributes.js';
import { runTracedCall, runUnrecordedCall } from './traced-call.js';

const serverSpanOptions = Object.freeze({ kind: SpanKind.SERVER });

/**
 * A Connect server interceptor that continues the caller's trace: it extracts `traceparent`,
 * `tracestate` and `baggage` from the request headers with the global propagator, starts a SERVER
 * span named `package.Service/Method`, and runs the handler inside it, so whatever the handler does
 * is a child of that span and sees the caller's baggage.
 *
 * Attributes are set right after the span starts, and only when it records (the sampler sees none).
 */
export function createServerTracingInterceptor(options: TracingInterceptorOptions = {}): Interceptor {
  const { tracer, filter, attributes, legacy } = resolveOptions(options);
  return (next) => (req) => {
    if (!filter(req)) return next(req);
    const remoteContext = propagation.extract(context.active(), req.header, headersGetter);
    const span = tracer.startSpan(rpcMethodName(req), serverSpanOptions, remoteContext);
    const spanContext = trace.setSpan(remoteContext, span);
    // An unsampled call gets a non-recording span: no attributes are computed for it, and only
    // its context (propagated further by whatever the handler calls) is kept.
    if (!span.isRecording()) return runUnrecordedCall(spanContext, next, req);
    const system = rpcSystemOf(req.header);
    span.setAttributes({ ...startAttributes(req, system, legacy), ...attributes(req) });
    return runTracedCall({ span, spanContext, side: 'server', system, legacy }, next, req);
  };
}
