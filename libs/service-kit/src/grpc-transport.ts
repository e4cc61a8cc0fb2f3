import { create, fromBinary, isMessage, type DescMessage, type DescMethodUnary, type MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type Transport, type UnaryResponse } from '@connectrpc/connect';
import { meshAuthorization } from '@feedmesh/identity';
import * as grpc from '@grpc/grpc-js';
import { currentCallScope, type CallScope } from './call-scope.js';
import { endSpan, methodSpan, startClientSpan, type MethodSpan } from './grpc-tracing.js';
import { responseSerializer } from './grpc-adapter.js';
import { getProcessMetrics, type MethodLatency, type ServiceMetrics } from './metrics.js';

export interface GrpcTransportOptions {
  /** grpc-js target of the app: host:port, or e.g. `dns:///recall-pods:8081` / `ipv4:a:p,b:p` for several (balanced per call). */
  address: string;
  /** Deadline for a call when neither the caller nor the current server call sets a shorter one. */
  defaultTimeoutMs?: number;
  /** Attempts after the first for UNAVAILABLE, on methods marked safe to retry. */
  maxRetries?: number;
  /** Base backoff; attempt n waits a random time in [0, base * 2^n] ("full jitter"). */
  retryBackoffMs?: number;
  maxMessageBytes?: number;
  /** Extra grpc-js channel options. */
  channelOptions?: grpc.ChannelOptions;
}

const passThrough = (bytes: Buffer): Buffer => bytes;

/**
 * How a channel finds its way back to a restarted app. grpc-js's defaults (first retry after 1 s,
 * then ×1.6 up to 120 s) are made for many clients of a public endpoint; between our apps they
 * left GetFeed failing for ~12 s after render was ready again, and ~20 s after a 45 s ranking
 * outage. Attempts start at 100 ms and never wait more than 500 ms (grpc-js adds ±20 % jitter),
 * so however long an app was away it is connected again within ~0.6 s of its readiness, leaving
 * the callers' circuit breakers the rest of a 2 s recovery promise; a refused connect costs
 * microseconds, so the extra attempts are cheap. Keepalive pings (only while calls are in flight)
 * find a peer that vanished without closing its connections within 15 s instead of 40 s.
 */
const reconnectOptions: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 500,
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
};

/**
 * Calls go round-robin over every address the target resolves to, instead of grpc-js's default
 * pick_first (all calls on the first): with a headless Service (`dns:///recall-pods:8081`) each
 * call picks the next pod. A one-address target behaves as before.
 */
const balancingOptions: grpc.ChannelOptions = {
  'grpc.service_config': JSON.stringify({ loadBalancingConfig: [{ round_robin: {} }] }),
};

/** Methods that may be retried: no side effects, or idempotent by contract. */
function retryable(method: DescMethodUnary): boolean {
  return method.idempotency === 1 || method.idempotency === 2; // NO_SIDE_EFFECTS, IDEMPOTENT
}

/**
 * A unary response. Its header and trailer are empty (grpc-js keeps them to itself) and only
 * built if someone asks; a class, so a response is one small object with no closures.
 */
class GrpcUnaryResponse {
  readonly stream = false;
  constructor(
    readonly service: DescMethodUnary['parent'],
    readonly method: DescMethodUnary,
    readonly message: unknown,
  ) {}

  get header(): Headers {
    return new Headers();
  }

  get trailer(): Headers {
    return new Headers();
  }
}

/** What every call of one method needs, built on its first call. */
interface MethodCodec {
  readonly serialize: (value: unknown) => Buffer;
  readonly path: string;
  readonly span: MethodSpan;
  readonly retryable: boolean;
  /** The client latency histogram of this method, for the process metrics it was taken from. */
  latency: MethodLatency | undefined;
  latencyOf: ServiceMetrics | undefined;
}

/**
 * A Connect Transport that sends over a grpc-js channel, so callers use Connect's typed clients
 * (`createClient(FeedService, transport)`) while paying grpc-js's cost per call, not Connect's.
 * The remaining deadline of the server call being served (if any) caps every call's deadline.
 * The deadline itself is grpc-js's to enforce: no timer of ours runs per call.
 */
export function createGrpcTransport(options: GrpcTransportOptions): Transport & { close(): void } {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 5_000;
  const maxRetries = options.maxRetries ?? 2;
  const backoffMs = options.retryBackoffMs ?? 25;
  const maxBytes = options.maxMessageBytes ?? 16 * 1024 * 1024;
  const client = new grpc.Client(options.address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': maxBytes,
    'grpc.max_send_message_length': maxBytes,
    ...reconnectOptions,
    ...balancingOptions,
    ...options.channelOptions,
  });
  const codecs = new WeakMap<DescMethodUnary, MethodCodec>();

  function codecFor(method: DescMethodUnary): MethodCodec {
    let codec = codecs.get(method);
    if (!codec) {
      codec = {
        serialize: responseSerializer(method.input),
        path: `/${method.parent.typeName}/${method.name}`,
        span: methodSpan(method.parent.typeName, method.name),
        retryable: retryable(method),
        latency: undefined,
        latencyOf: undefined,
      };
      codecs.set(method, codec);
    }
    return codec;
  }

  /** The method's latency histogram in the process metrics (set by the app, possibly later). */
  function latencyOf(codec: MethodCodec, method: DescMethodUnary): MethodLatency | undefined {
    const metrics = getProcessMetrics();
    if (metrics !== codec.latencyOf) {
      codec.latencyOf = metrics;
      codec.latency = metrics?.clientLatency(method.parent.typeName, method.name);
    }
    return codec.latency;
  }

  function attempt(
    codec: MethodCodec,
    message: unknown,
    metadata: grpc.Metadata,
    deadlineMs: number,
    scope: CallScope | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Buffer> {
    const span = startClientSpan(codec.span, metadata);
    return new Promise((resolve, reject) => {
      let unregister: (() => void) | undefined;
      let onAbort: (() => void) | undefined;
      const call = client.makeUnaryRequest<unknown, Buffer>(
        codec.path,
        codec.serialize,
        passThrough,
        message,
        metadata,
        { deadline: deadlineMs },
        (error, response) => {
          unregister?.();
          if (onAbort) signal?.removeEventListener('abort', onAbort);
          if (error) {
            // Cancelled by our own deadline scope reads better as what it is.
            const code = error.code === grpc.status.CANCELLED && Date.now() >= deadlineMs - 1 ? Code.DeadlineExceeded : (error.code as number as Code);
            endSpan(span, code, 'client', error.details);
            reject(new ConnectError(error.details || error.message, code));
            return;
          }
          endSpan(span, 0, 'client');
          resolve(response as Buffer);
        },
      );
      // Cancel downstream work when the call we are serving is cancelled, or the caller aborts.
      if (scope || signal) {
        const cancel = () => call.cancel();
        if (scope) unregister = scope.onCancel(cancel);
        if (signal) {
          onAbort = cancel;
          signal.addEventListener('abort', cancel, { once: true });
        }
      }
    });
  }

  async function unary<I extends DescMessage, O extends DescMessage>(
    method: DescMethodUnary<I, O>,
    signal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    header: ConstructorParameters<typeof Headers>[0] | undefined,
    input: MessageInitShape<I>,
  ): Promise<UnaryResponse<I, O>> {
    const started = performance.now();
    const now = Date.now();
    let deadlineMs = now + (timeoutMs ?? defaultTimeoutMs);
    const scope = currentCallScope();
    if (scope && scope.deadlineMs < deadlineMs) deadlineMs = scope.deadlineMs;
    if (deadlineMs <= now) throw new ConnectError('deadline exceeded before the call was sent', Code.DeadlineExceeded);

    const message = isMessage(input, method.input) ? input : create(method.input, input);
    const metadata = new grpc.Metadata();
    // With MESH_AUTH=token this app proves who it is to the app it calls (a header the caller set wins).
    const authorization = meshAuthorization();
    if (authorization) metadata.set('authorization', authorization);
    if (header) new Headers(header).forEach((value, key) => metadata.set(key, value));

    const codec = codecFor(method as DescMethodUnary);
    const latency = latencyOf(codec, method as DescMethodUnary);
    for (let n = 0; ; n++) {
      try {
        const bytes = await attempt(codec, message, metadata, deadlineMs, scope, signal);
        latency?.observe(0, (performance.now() - started) / 1000);
        return new GrpcUnaryResponse(method.parent, method as DescMethodUnary, fromBinary(method.output, bytes)) as unknown as UnaryResponse<I, O>;
      } catch (error) {
        const e = error as ConnectError;
        if (codec.retryable && e.code === Code.Unavailable && n < maxRetries && !signal?.aborted) {
          const waitMs = Math.random() * backoffMs * 2 ** n;
          if (Date.now() + waitMs < deadlineMs) {
            getProcessMetrics()?.clientRetried(method.parent.typeName, method.name);
            await new Promise((r) => setTimeout(r, waitMs));
            continue;
          }
        }
        latency?.observe(e.code ?? Code.Unknown, (performance.now() - started) / 1000);
        throw e;
      }
    }
  }

  return {
    unary: unary as Transport['unary'],
    stream() {
      return Promise.reject(new ConnectError('streaming calls are not supported by the grpc transport', Code.Unimplemented));
    },
    close: () => client.close(),
  };
}
