import type { Attributes, Tracer, TracerProvider } from '@opentelemetry/api';
import { trace } from '@opentelemetry/api';
import type { RpcRequest } from './rpc-attributes.js';

export const DEFAULT_TRACER_NAME = '@feedmesh/otel-connect';

/** Options shared by the server and the client interceptor. */
export interface TracingInterceptorOptions {
  /** Where spans go; defaults to the global tracer provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /** Instrumentation scope name of the tracer; defaults to `@feedmesh/otel-connect`. */
  readonly tracerName?: string;
  /** Return false to leave a call untraced (e.g. health checks). Every call is traced by default. */
  readonly filter?: (req: RpcRequest) => boolean;
  /** Extra attributes for the span, computed when the call starts; only for spans that record (sampled). */
  readonly attributes?: (req: RpcRequest) => Attributes;
  /**
   * Also emit the deprecated pre-1.38 RPC attributes (`rpc.system`, `rpc.service`,
   * `rpc.grpc.status_code`, `rpc.connect_rpc.error_code`) next to the stable ones, for backends
   * still keyed on them. Defaults to true when `OTEL_SEMCONV_STABILITY_OPT_IN` contains `rpc/dup`.
   */
  readonly legacyAttributes?: boolean;
}

export interface ResolvedOptions {
  readonly tracer: Tracer;
  readonly filter: (req: RpcRequest) => boolean;
  readonly attributes: (req: RpcRequest) => Attributes;
  readonly legacy: boolean;
}

export function resolveOptions(options: TracingInterceptorOptions): ResolvedOptions {
  const provider = options.tracerProvider ?? trace.getTracerProvider();
  return {
    // The global provider is a proxy, so a tracer taken before the SDK registers still works.
    tracer: provider.getTracer(options.tracerName ?? DEFAULT_TRACER_NAME),
    filter: options.filter ?? (() => true),
    attributes: options.attributes ?? (() => ({})),
    legacy: options.legacyAttributes ?? semconvOptIn().includes('rpc/dup'),
  };
}

function semconvOptIn(): string[] {
  // `globalThis.process` keeps the lib usable where there is no `process` (browsers).
  const value = globalThis.process?.env?.OTEL_SEMCONV_STABILITY_OPT_IN ?? '';
  return value.split(',').map((entry) => entry.trim());
}
