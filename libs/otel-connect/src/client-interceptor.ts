import type { Interceptor } from '@connectrpc/connect';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { headersSetter } from './headers-carrier.js';
import type { TracingInterceptorOptions } from './options.js';
import { resolveOptions } from './options.js';
import { rpcMethodName, rpcSystemOf, startAttributes } from './rpc-attributes.js';
import { runTracedCall, runUnrecordedCall } from './traced-call.js';

const clientSpanOptions = Object.freeze({ kind: SpanKind.CLIENT });

/**
 * A Connect client interceptor that starts a CLIENT span named `package.Service/Method` as a child
 * of the active context and injects it (with the active baggage) into the request headers with the
 * global propagator, so the server's span continues the same trace.
 *
 * Attributes are set right after the span starts, and only when it records (the sampler sees none);
 * an unsampled call still sends its (unsampled) traceparent.
 */
export function createClientTracingInterceptor(options: TracingInterceptorOptions = {}): Interceptor {
  const { tracer, filter, attributes, legacy } = resolveOptions(options);
  return (next) => (req) => {
    if (!filter(req)) return next(req);
    const parentContext = context.active();
    const span = tracer.startSpan(rpcMethodName(req), clientSpanOptions, parentContext);
    const spanContext = trace.setSpan(parentContext, span);
    // Sampled or not, the call carries its trace context on.
    propagation.inject(spanContext, req.header, headersSetter);
    if (!span.isRecording()) return runUnrecordedCall(spanContext, next, req);
    // The transport has already set the content type, which tells Connect from gRPC.
    const system = rpcSystemOf(req.header);
    span.setAttributes({ ...startAttributes(req, system, legacy), ...attributes(req) });
    return runTracedCall({ span, spanContext, side: 'client', system, legacy }, next, req);
  };
}
