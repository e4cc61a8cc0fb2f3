import { create, fromBinary, isMessage, toBinary, type DescMessage, type DescMethod, type DescService } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '@feedmesh/telemetry';
import { CancellableScope, runInCallScope } from './call-scope.js';
import { invalidArgument, toConnectError } from './errors.js';
import { GrpcHandlerContext } from './grpc-handler-context.js';
import { endSpan, runInContext, startServerSpan } from './grpc-tracing.js';
import { compileMessageChecks } from './message-checks.js';
import type { ServiceMetrics } from './metrics.js';
import type { ServiceRegistration } from './service-registration.js';

export interface GrpcServiceOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  maxMessageBytes: number;
  rejectUnknownFields: boolean;
  /** Upper bound on a client's deadline: longer (or absent) deadlines are cut to this. */
  maxDeadlineMs: number;
}

type UnaryImpl = (request: unknown, context: GrpcHandlerContext) => unknown;

export function responseSerializer(schema: DescMessage): (value: unknown) => Buffer {
  return (value) => {
    const bytes = toBinary(schema, value as never);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

const passThrough = (bytes: Buffer): Buffer => bytes;

/**
 * Registers a protobuf-es service on a grpc-js server. grpc-js does the HTTP/2 framing (the
 * cheapest server measured here); protobuf-es decodes, so handlers get the same message types
 * and HandlerContext on the gRPC path as on the Connect path. Requests are decoded inside the
 * handler, not by grpc-js, so a malformed body is InvalidArgument rather than INTERNAL.
 */
export function addGrpcService(server: grpc.Server, registration: ServiceRegistration, options: GrpcServiceOptions): void {
  const { service, impl } = registration;
  for (const method of service.methods) {
    const fn = (impl as Record<string, UnaryImpl | undefined>)[method.localName];
    if (method.methodKind !== 'unary') {
      throw new Error(`${service.typeName}/${method.name}: only unary methods are supported by the service kit`);
    }
    const handler = fn
      ? unaryHandler(service, method as DescMethod & { methodKind: 'unary' }, fn.bind(impl), options)
      : unimplementedHandler(service, method);
    server.register(`/${service.typeName}/${method.name}`, handler, responseSerializer(method.output), passThrough, 'unary');
  }
}

function unimplementedHandler(service: DescService, method: DescMethod): grpc.handleUnaryCall<Buffer, unknown> {
  return (_call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${service.typeName}/${method.name} is not implemented` });
}

function unaryHandler(
  service: DescService,
  method: DescMethod & { methodKind: 'unary' },
  fn: UnaryImpl,
  options: GrpcServiceOptions,
): grpc.handleUnaryCall<Buffer, unknown> {
  const { logger, metrics, maxMessageBytes, maxDeadlineMs } = options;
  const check = compileMessageChecks(method.input, { rejectUnknownFields: options.rejectUnknownFields });
  const serviceName = service.typeName;
  const methodName = method.name;

  return (call, callback) => {
    const started = performance.now();
    metrics.serverStarted();
    const traced = startServerSpan(serviceName, methodName, call.metadata);
    let finished = false;
    let capTimer: NodeJS.Timeout | undefined;
    const finish = (code: number, message?: string) => {
      finished = true;
      clearTimeout(capTimer);
      endSpan(traced.span, code, 'server', message);
      metrics.serverFinished(serviceName, methodName, code, 'grpc', (performance.now() - started) / 1000);
    };
    const fail = (error: ConnectError, internal = false, cause?: unknown) => {
      if (internal) runInContext(traced.context, () => logger.error({ err: cause, method: methodName }, 'unhandled error in handler'));
      finish(error.code, error.rawMessage);
      callback({ code: error.code as number as grpc.status, details: error.rawMessage, metadata: errorMetadata(error) });
    };

    if (call.request.length > maxMessageBytes) {
      return fail(new ConnectError(`request message is ${call.request.length} bytes; the limit is ${maxMessageBytes}`, Code.InvalidArgument));
    }
    let request: Record<string, unknown>;
    try {
      request = fromBinary(method.input, call.request) as unknown as Record<string, unknown>;
    } catch (error) {
      return fail(new ConnectError(`malformed ${method.input.typeName}: ${(error as Error).message}`, Code.InvalidArgument));
    }
    const violation = check(request, '');
    if (violation) {
      return fail(invalidArgument(violation.field, violation.reason));
    }

    const deadline = call.getDeadline();
    const callerDeadline = typeof deadline === 'number' ? deadline : deadline.getTime();
    const deadlineMs = Math.min(callerDeadline, Date.now() + maxDeadlineMs);
    const context = new GrpcHandlerContext(service, method, call.metadata, deadlineMs);
    const scope = new CancellableScope(deadlineMs);
    call.on('cancelled', () => {
      // grpc-js also reports 'cancelled' when the stream closes after a normal response.
      if (finished) return;
      context.abort(new ConnectError('call cancelled', Code.Canceled));
      scope.cancel();
    });
    // grpc-js enforces only the caller's deadline; when MAX_DEADLINE_MS cut it shorter, the call
    // expires here, or a handler without downstream calls would run on past the cap.
    if (deadlineMs < callerDeadline) {
      capTimer = setTimeout(() => {
        if (finished) return;
        const expired = new ConnectError(`deadline exceeded (the server caps deadlines at ${maxDeadlineMs} ms)`, Code.DeadlineExceeded);
        context.abort(expired);
        scope.cancel();
        fail(expired);
      }, deadlineMs - Date.now());
    }

    let result: unknown;
    try {
      result = runInContext(traced.context, () => runInCallScope(scope, () => fn(request, context)));
    } catch (error) {
      const { error: e, internal } = toConnectError(error);
      return fail(e, internal, error);
    }
    Promise.resolve(result).then(
      (response) => {
        if (finished) return;
        const headers = context.responseMetadataHeaders();
        if (headers) {
          const md = new grpc.Metadata();
          headers.forEach((value, key) => md.set(key, value));
          call.sendMetadata(md);
        }
        finish(0);
        callback(null, isMessage(response, method.output) ? response : create(method.output, response as never));
      },
      (error: unknown) => {
        if (finished) return;
        const { error: e, internal } = toConnectError(error);
        fail(e, internal, error);
      },
    );
  };
}

function errorMetadata(error: ConnectError): grpc.Metadata | undefined {
  let md: grpc.Metadata | undefined;
  error.metadata.forEach((value, key) => {
    (md ??= new grpc.Metadata()).set(key, value);
  });
  return md;
}
