import {
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import type { Code } from '@connectrpc/connect';
import { isErrorStatus } from '@feedmesh/otel-connect';
import type { Metadata } from '@grpc/grpc-js';

/**
 * Tracing of the kit's own gRPC hop, with the RPC semantic conventions (rpc.system, rpc.service,
 * rpc.method, rpc.grpc.status_code) and W3C trace context + baggage in the metadata.
 *
 * Why not @opentelemetry/instrumentation-grpc here: it wraps every call in several closures and
 * re-extracts peer metadata; measured on this hop it cost more CPU than grpc-js's own client
 * (tools/bench hop benchmark, BENCHMARKS.md). The kit owns both ends of the hop, so it starts the
 * spans itself; pg and ioredis keep their official instrumentations.
 */
const tracer = trace.getTracer('@feedmesh/service-kit');

const metadataGetter: TextMapGetter<Metadata> = {
  keys: (carrier) => Object.keys(carrier.getMap()),
  get: (carrier, key) => {
    const values = carrier.get(key);
    return values.length ? (values as string[]) : undefined;
  },
};

const metadataSetter: TextMapSetter<Metadata> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

function attributes(service: string, method: string): Attributes {
  return { 'rpc.system': 'grpc', 'rpc.service': service, 'rpc.method': method };
}

export function startServerSpan(service: string, method: string, metadata: Metadata): { span: Span; context: Context } {
  const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
  const span = tracer.startSpan(`${service}/${method}`, { kind: SpanKind.SERVER, attributes: attributes(service, method) }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

export function startClientSpan(service: string, method: string, metadata: Metadata): { span: Span; context: Context } {
  const parent = context.active();
  const span = tracer.startSpan(`${service}/${method}`, { kind: SpanKind.CLIENT, attributes: attributes(service, method) }, parent);
  const spanContext = trace.setSpan(parent, span);
  propagation.inject(spanContext, metadata, metadataSetter);
  return { span, context: spanContext };
}

export function endSpan(span: Span, code: number, side: 'client' | 'server', message?: string): void {
  span.setAttribute('rpc.grpc.status_code', code);
  // Semconv: a server span fails only for codes the server is responsible for.
  if (code !== 0 && isErrorStatus(code as Code, side)) {
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

export const runInContext = <T>(ctx: Context, fn: () => T): T => context.with(ctx, fn);
