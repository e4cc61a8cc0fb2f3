import type { CallHook } from './shard.js';
import type { SloThresholds } from './slo.js';

/** Everything one run needs; the CLI builds this from flags, benchmarks build it directly. */
export interface LoadOptions {
  /** "host:port" for gRPC; "http://host:port" or "host:port" for Connect. */
  readonly target: string;
  /** "feedmesh.feed.v1.FeedService/GetFeed" or "FeedService/GetFeed". */
  readonly method: string;
  /** Resolve the method and its messages by asking the server (gRPC server reflection) instead of the contracts. */
  readonly reflect?: boolean;
  /** Resolve them from these .proto files (compiled in-process) instead of the contracts. */
  readonly protoFiles?: readonly string[];
  /** Import roots for `protoFiles` (default: each file's directory). */
  readonly importPaths?: readonly string[];
  /** Resolve them from this FileDescriptorSet file (`buf build -o x.binpb`) instead of the contracts. */
  readonly protoset?: string;
  /** "grpc" (node:http2, default), "grpc-js" (@grpc/grpc-js) or "connect" (JSON over HTTP/1.1). */
  readonly protocol?: 'grpc' | 'grpc-js' | 'connect';
  /** Proto JSON with {{variable}} placeholders; default "{}". */
  readonly body?: string;
  /** "name=spec" generator definitions (see generators.ts). */
  readonly variables?: readonly string[];
  /** Closed loop: calls in flight (default 16). Ignored when `rate` is set. */
  readonly concurrency?: number;
  /** Open loop: calls per second. */
  readonly rate?: number;
  /** Open loop: cap on calls in flight (default 1000). */
  readonly maxInflight?: number;
  readonly warmupMs?: number;
  /** Measured duration (default 10 s, or unbounded when `requests` is set). */
  readonly durationMs?: number;
  /** Bound on measured calls. */
  readonly requests?: number;
  /** gRPC channels (each its own TCP connection); Connect: cap on sockets. */
  readonly connections?: number;
  /** Per-call deadline (default 5000). */
  readonly timeoutMs?: number;
  readonly metadata?: readonly (readonly [string, string])[];
  /** Fraction of calls sent with the traceparent sampled flag (default 0.01). */
  readonly traceSample?: number;
  /**
   * Split the load over this many worker threads (default 1: none), each with its own connections;
   * concurrency, rate, --max-inflight, --requests and --connections are divided among them.
   */
  readonly workers?: number;
  /** Decode every response (default true); off saves client CPU on large responses. */
  readonly decodeResponses?: boolean;
  readonly slo?: SloThresholds;
  /** Called once a second with the last second's figures. */
  readonly onProgress?: (progress: ProgressSample) => void;
  /** Called as each measured call ends (start, end, code, decoded response); in-process runs only (`workers` 1). */
  readonly onCall?: CallHook;
  /** Aborting stops sending; in-flight calls finish and the report covers what ran. */
  readonly signal?: AbortSignal;
}

export interface ProgressSample {
  readonly elapsedS: number;
  readonly warmup: boolean;
  readonly rps: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly inflight: number;
}
