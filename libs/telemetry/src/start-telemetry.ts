import { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { telemetrySettings } from './telemetry-env.js';

export interface TelemetryOptions {
  /** Default for OTEL_SERVICE_NAME. */
  serviceName: string;
  /**
   * Also load @opentelemetry/instrumentation-grpc. Off by default: apps built on the service kit
   * trace their gRPC hop in the kit itself (cheaper on the hot path, see BENCHMARKS.md); turn it on
   * for processes that make raw grpc-js calls of their own.
   */
  instrumentGrpcJs?: boolean;
  /** Extra span processors (tests use an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
  /** Where the OTEL_* settings are read and defaulted (telemetryEnvSpec); the process environment by default. */
  env?: NodeJS.ProcessEnv;
}

export interface Telemetry {
  readonly serviceName: string;
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

let started: Telemetry | undefined;

/** A processor that keeps spans recording (ids, propagation, log correlation) but sends them nowhere. */
const discardProcessor: SpanProcessor = {
  onStart() {},
  onEnd() {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

/**
 * Starts the OpenTelemetry SDK once per process. Call it before anything imports
 * @grpc/grpc-js, pg or ioredis: the official instrumentations patch those modules on load.
 *
 * Traces are exported over OTLP only when an OTLP endpoint is configured; the standard OTEL_*
 * variables (protocol, headers, sampler, BSP tuning…) are honoured by the SDK itself. Metrics go
 * through Prometheus (`/metrics`), so the SDK's own metric and log exporters default to off.
 */
export function startTelemetry(options: TelemetryOptions): Telemetry {
  if (started) return started;
  const { serviceName, exporting } = telemetrySettings(options.serviceName, options.env);

  const extra = options.spanProcessors ?? [];
  // Without an endpoint the SDK would otherwise default to exporting to localhost:4318.
  const spanProcessors = exporting ? undefined : [...extra, ...(extra.length ? [] : [discardProcessor])];
  const sdk = new NodeSDK({
    serviceName,
    ...(spanProcessors ? { spanProcessors } : {}),
    instrumentations: [
      ...(options.instrumentGrpcJs
        ? // Probes and reflection would drown the traces in noise.
          [new GrpcInstrumentation({ ignoreGrpcMethods: [/^Check$/, /^Watch$/, /^ServerReflectionInfo$/] })]
        : []),
      new PgInstrumentation({ requireParentSpan: true }),
      new IORedisInstrumentation({ requireParentSpan: true }),
    ],
  });
  sdk.start();
  started = {
    serviceName,
    exporting,
    shutdown: () => sdk.shutdown(),
  };
  return started;
}
