import {
  type Attributes,
  type Context,
  type Span,
  type SpanOptions,
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
import { endAttributes, isErrorStatus, methodAttributes } from '@feedmesh/otel-connect';
import type { Metadata } from '@grpc/grpc-js';

/**
 * Tracing of the kit's own gRPC hop, in the same attribute vocabulary as the Connect path
 * (@feedmesh/otel-connect's methodAttributes / endAttributes: semconv 1.38 names plus the legacy
 * rpc.system, rpc.service, rpc.grpc.status_code), with W3C trace context + baggage in the metadata.
 *
 * Why not @opentelemetry/instrumentation-grpc here: it wraps every call in several closures and
 * re-extracts peer metadata; measured on this hop it cost more CPU than grpc-js's own client
 * (tools/bench hop benchmark, BENCHMARKS.md). The kit owns both ends of the hop, so it starts the
 * spans itself; pg and ioredis keep their official instrumentations.
 *
 * Head sampling decides in the SDK's `startSpan`: for a call the sampler drops (the caller's
 * traceparent says unsampled, under the default ParentBased sampler) it returns a non-recording
 * span, and nothing else is built for it here: attributes are only set on recording spans. Its
 * context is still propagated, so the W3C trace context crosses every hop, sampled or not.
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

/** A method's span name and start attributes, built once per method instead of once per call. */
export interface MethodSpan {
  readonly name: string;
  readonly attributes: Readonly<Attributes>;
}

export function methodSpan(service: string, method: string): MethodSpan {
  return Object.freeze({
    name: `${service}/${method}`,
    attributes: Object.freeze(methodAttributes(service, method, 'grpc', true)),
  });
}

// Shared and read-only: the SDK only reads span options.
const serverSpanOptions: SpanOptions = Object.freeze({ kind: SpanKind.SERVER });
const clientSpanOptions: SpanOptions = Object.freeze({ kind: SpanKind.CLIENT });

/**
 * Continues the caller's trace from the metadata: returns the context to serve the call in, which
 * holds the SERVER span (`trace.getSpan(context)`; non-recording when the call is not sampled).
 */
export function startServerSpan(method: MethodSpan, metadata: Metadata): Context {
  const parent = propagation.extract(ROOT_CONTEXT, metadata, metadataGetter);
  const span = tracer.startSpan(method.name, serverSpanOptions, parent);
  if (span.isRecording()) span.setAttributes(method.attributes);
  return trace.setSpan(parent, span);
}

/** Starts a CLIENT span under the active context and writes its trace context into `metadata`. */
export function startClientSpan(method: MethodSpan, metadata: Metadata): Span {
  const parent = context.active();
  const span = tracer.startSpan(method.name, clientSpanOptions, parent);
  if (span.isRecording()) span.setAttributes(method.attributes);
  propagation.inject(trace.setSpan(parent, span), metadata, metadataSetter);
  return span;
}

export function endSpan(span: Span, code: number, side: 'client' | 'server', message?: string): void {
  if (span.isRecording()) {
    // Semconv: a server span fails only for codes the server is responsible for.
    const failed = code !== 0 && isErrorStatus(code as Code, side);
    // Connect's Code numbers are gRPC's status codes; success is "no code" there.
    span.setAttributes(endAttributes(code === 0 ? undefined : (code as Code), failed, 'grpc', true));
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}

export const runInContext = <T>(ctx: Context, fn: () => T): T => context.with(ctx, fn);
