import { create, fromBinary, isMessage, type DescMessage, type DescMethodUnary, type MessageInitShape } from '@bufbuild/protobuf';
import { Code, ConnectError, type Transport, type UnaryResponse } from '@connectrpc/connect';
import * as grpc from '@grpc/grpc-js';
import { currentCallScope } from './call-scope.js';
import { endSpan, startClientSpan } from './grpc-tracing.js';
import { responseSerializer } from './grpc-service.js';
import { getProcessMetrics } from './metrics.js';

export interface GrpcTransportOptions {
  /** host:port of the app. */
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

/** Methods that may be retried: no side effects, or idempotent by contract. */
function retryable(method: DescMethodUnary): boolean {
  return method.idempotency === 1 || method.idempotency === 2; // NO_SIDE_EFFECTS, IDEMPOTENT
}

const emptyHeaders = (): Headers => new Headers();

/**
 * A Connect Transport that sends over a grpc-js channel, so callers use Connect's typed clients
 * (`createClient(FeedService, transport)`) while paying grpc-js's cost per call, not Connect's.
 * The remaining deadline of the server call being served (if any) caps every call's deadline.
 */
export function createGrpcTransport(options: GrpcTransportOptions): Transport & { close(): void } {
  const defaultTimeoutMs = options.defaultTimeoutMs ?? 5_000;
  const maxRetries = options.maxRetries ?? 2;
  const backoffMs = options.retryBackoffMs ?? 25;
  const maxBytes = options.maxMessageBytes ?? 16 * 1024 * 1024;
  const client = new grpc.Client(options.address, grpc.credentials.createInsecure(), {
    'grpc.max_receive_message_length': maxBytes,
    'grpc.max_send_message_length': maxBytes,
    'grpc.keepalive_time_ms': 30_000,
    'grpc.keepalive_timeout_ms': 10_000,
    ...options.channelOptions,
  });
  const codecs = new WeakMap<DescMethodUnary, { serialize: (v: unknown) => Buffer; path: string; service: string }>();

  function codecFor(method: DescMethodUnary) {
    let codec = codecs.get(method);
    if (!codec) {
      codec = {
        serialize: responseSerializer(method.input),
        path: `/${method.parent.typeName}/${method.name}`,
        service: method.parent.typeName,
      };
      codecs.set(method, codec);
    }
    return codec;
  }

  function attempt<O extends DescMessage>(
    method: DescMethodUnary<DescMessage, O>,
    message: unknown,
    metadata: grpc.Metadata,
    deadlineMs: number,
    signal: AbortSignal | undefined,
  ): Promise<Buffer> {
    const codec = codecFor(method as DescMethodUnary);
    const { span } = startClientSpan(codec.service, method.name, metadata);
    return new Promise((resolve, reject) => {
      const scope = currentCallScope();
      let unregister: (() => void) | undefined;
      const call = client.makeUnaryRequest<unknown, Buffer>(
        codec.path,
        codec.serialize,
        passThrough,
        message,
        metadata,
        { deadline: deadlineMs },
        (error, response) => {
          unregister?.();
          if (signal) signal.removeEventListener('abort', onAbort);
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
      const onAbort = () => call.cancel();
      // Cancel downstream work when the call we are serving is cancelled, or the caller aborts.
      if (scope) unregister = scope.onCancel(onAbort);
      if (signal) signal.addEventListener('abort', onAbort, { once: true });
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
    if (header) new Headers(header).forEach((value, key) => metadata.set(key, value));

    const canRetry = retryable(method as DescMethodUnary);
    const service = method.parent.typeName;
    const metrics = getProcessMetrics();
    for (let n = 0; ; n++) {
      try {
        const bytes = await attempt(method, message, metadata, deadlineMs, signal);
        metrics?.clientFinished(service, method.name, 0, (performance.now() - started) / 1000);
        const decoded = fromBinary(method.output, bytes);
        return {
          stream: false,
          service: method.parent,
          method,
          message: decoded,
          get header() {
            return emptyHeaders();
          },
          get trailer() {
            return emptyHeaders();
          },
        } as UnaryResponse<I, O>;
      } catch (error) {
        const e = error as ConnectError;
        const waitMs = Math.random() * backoffMs * 2 ** n;
        if (canRetry && e.code === Code.Unavailable && n < maxRetries && Date.now() + waitMs < deadlineMs && !signal?.aborted) {
          metrics?.clientRetried(service, method.name);
          await new Promise((r) => setTimeout(r, waitMs));
          continue;
        }
        metrics?.clientFinished(service, method.name, e.code ?? Code.Unknown, (performance.now() - started) / 1000);
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
