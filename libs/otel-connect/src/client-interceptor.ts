import type { Interceptor } from '@connectrpc/connect';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { headersSetter } from './headers-carrier.js';
import type { TracingInterceptorOptions } from './options.js';
import { resolveOptions } from './options.js';
import { rpcMethodName, rpcSystemOf, startAttributes } from './rpc-attributes.js';
import { runTracedCall } from './traced-call.js';

/**
 * A Connect client interceptor that starts a CLIENT span named `package.Service/Method` as a child
 * of the active context and injects it (with the active baggage) into the request headers with the
 * global propagator, so the server's span continues the same trace.
 */
export function createClientTracingInterceptor(options: TracingInterceptorOptions = {}): Interceptor {
  const { tracer, filter, attributes, legacy } = resolveOptions(options);
  return (next) => (req) => {
    if (!filter(req)) return next(req);
    const parentContext = context.active();
    // The transport has already set the content type, which tells Connect from gRPC.
    const system = rpcSystemOf(req.header);
    const span = tracer.startSpan(
      rpcMethodName(req),
      { kind: SpanKind.CLIENT, attributes: { ...startAttributes(req, system, legacy), ...attributes(req) } },
      parentContext,
    );
    const spanContext = trace.setSpan(parentContext, span);
    propagation.inject(spanContext, req.header, headersSetter);
    return runTracedCall({ span, spanContext, side: 'client', system, legacy }, next, req);
  };
}
