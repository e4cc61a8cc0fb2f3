import { create, fromBinary, isMessage, toBinary, type DescMessage, type DescMethod, type DescService } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import type { Caller } from '@feedmesh/identity';
import * as grpc from '@grpc/grpc-js';
import { type Context, context, trace } from '@opentelemetry/api';
import type { AdmissionWaiter, RefusalReason } from './admission.js';
import { VERSION_HEADER } from './build-info.js';
import type { CallPolicy, MethodPolicy } from './call-policy.js';
import { CancellableScope, runInCallScope } from './call-scope.js';
import { GrpcHandlerContext } from './grpc-handler-context.js';
import { endSpan, methodSpan, startServerSpan, type MethodSpan } from './grpc-tracing.js';
import type { ServiceRegistration } from './service-registration.js';

type UnaryImpl = (request: unknown, context: GrpcHandlerContext) => unknown;

export function responseSerializer(schema: DescMessage): (value: unknown) => Buffer {
  return (value) => {
    const bytes = toBinary(schema, value as never);
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  };
}

const passThrough = (bytes: Buffer): Buffer => bytes;

/**
 * The gRPC adapter: registers a protobuf-es service on a grpc-js server, each call served
 * through the kit's call policy (call-policy.ts). grpc-js does the HTTP/2 framing (the cheapest
 * server measured here); protobuf-es decodes, so handlers get the same message types and
 * HandlerContext on the gRPC path as on the Connect path. Requests are decoded inside the
 * handler, not by grpc-js, so a malformed body is InvalidArgument rather than INTERNAL.
 */
export function addGrpcService(server: grpc.Server, registration: ServiceRegistration, policy: CallPolicy): void {
  const { service, impl } = registration;
  for (const method of service.methods) {
    const fn = (impl as Record<string, UnaryImpl | undefined>)[method.localName];
    if (method.methodKind !== 'unary') {
      throw new Error(`${service.typeName}/${method.name}: only unary methods are supported by the service kit`);
    }
    const handler = fn
      ? unaryHandler(service, method as DescMethod & { methodKind: 'unary' }, fn.bind(impl), policy)
      : unimplementedHandler(service, method);
    server.register(`/${service.typeName}/${method.name}`, handler, responseSerializer(method.output), passThrough, 'unary');
  }
}

function unimplementedHandler(service: DescService, method: DescMethod): grpc.handleUnaryCall<Buffer, unknown> {
  return (_call, callback) =>
    callback({ code: grpc.status.UNIMPLEMENTED, details: `${service.typeName}/${method.name} is not implemented` });
}

/** What every call of one method shares, resolved once when the service is registered. */
interface UnaryMethod {
  readonly service: DescService;
  readonly method: DescMethod & { methodKind: 'unary' };
  readonly fn: UnaryImpl;
  readonly span: MethodSpan;
  readonly policy: MethodPolicy;
  readonly kit: CallPolicy;
}

function unaryHandler(
  service: DescService,
  method: DescMethod & { methodKind: 'unary' },
  fn: UnaryImpl,
  kit: CallPolicy,
): grpc.handleUnaryCall<Buffer, unknown> {
  const m: UnaryMethod = { service, method, fn, span: methodSpan(service.typeName, method.name), policy: kit.method(method, 'grpc'), kit };
  return (call, callback) => new ServerCall(m, call, callback).serve();
}

/**
 * One unary call being served, and the call scope of the client calls made while serving it. All
 * per-call state lives in this one object (no closures per call); the 'cancelled' listener is only
 * added once something wants to know (the handler's signal, a downstream call's cancel hook).
 */
class ServerCall extends CancellableScope implements AdmissionWaiter {
  private readonly started = performance.now();
  private admittedToRun = false;
  private admittedAt = 0;
  private budgetMs = 0;
  /** The answer's code, for the adaptive limit's sample. */
  private code = 0;
  private readonly traceContext: Context;
  private finished = false;
  private watching = false;
  private capTimer: NodeJS.Timeout | undefined;
  private handlerContext: GrpcHandlerContext | undefined;

  constructor(
    private readonly m: UnaryMethod,
    private readonly call: grpc.ServerUnaryCall<Buffer, unknown>,
    private readonly callback: grpc.sendUnaryData<unknown>,
  ) {
    const deadline = call.getDeadline();
    const callerDeadlineMs = typeof deadline === 'number' ? deadline : deadline.getTime();
    const callerDeadline = Number.isFinite(callerDeadlineMs) ? callerDeadlineMs : undefined;
    super(m.kit.deadline(callerDeadline), callerDeadline);
    this.traceContext = startServerSpan(m.span, call.metadata);
  }

  serve(): void {
    // Admission first: a refusal costs no decoding.
    const { admission } = this.m.kit;
    if (admission.tryAcquire()) this.admitted();
    else admission.enqueue(this);
  }

  get abandoned(): boolean {
    return this.call.cancelled;
  }

  refused(reason: RefusalReason): void {
    if (reason === 'abandoned') return this.finish(Code.Canceled);
    this.fail(this.m.policy.refused(reason, (performance.now() - this.started) / 1000));
  }

  admitted(): void {
    this.admittedToRun = true;
    this.admittedAt = performance.now();
    this.budgetMs = this.deadlineMs - Date.now();
    const { m, call } = this;
    m.policy.started();
    if (call.request.length > m.kit.maxMessageBytes) return this.fail(m.kit.tooLarge(`${call.request.length} bytes`));
    let request: Record<string, unknown>;
    try {
      request = fromBinary(m.method.input, call.request) as unknown as Record<string, unknown>;
    } catch (error) {
      return this.fail(new ConnectError(`malformed ${m.method.input.typeName}: ${(error as Error).message}`, Code.InvalidArgument));
    }
    let caller: Caller | Promise<Caller>;
    try {
      caller = m.policy.authenticate(authorizationOf(call.metadata));
    } catch (error) {
      return this.failWith(error);
    }
    // A token seen before is answered at once; a new one is verified first (a JWKS may be fetched).
    if (caller instanceof Promise) {
      caller.then(
        (known) => this.run(request, known),
        (error: unknown) => this.failWith(error),
      );
    } else this.run(request, caller);
  }

  /** Steps 7 and on, for an authenticated caller: validation, the acting user, then the handler. */
  private run(request: Record<string, unknown>, caller: Caller): void {
    if (this.finished) return;
    const { m, call } = this;
    const invalid = m.policy.invalid(request);
    if (invalid) return this.fail(invalid);
    try {
      m.policy.checkActingUsers(caller, request);
    } catch (error) {
      return this.failWith(error);
    }

    const handlerContext = new GrpcHandlerContext(m.service, m.method, call.metadata, this, caller);
    this.handlerContext = handlerContext;
    // When MAX_DEADLINE_MS cut the caller's deadline, the call expires here, or a handler without
    // downstream calls would run on past the cap. (Otherwise grpc-js's own deadline timer ends it.)
    if (this.deadlineMs < (this.callerDeadline ?? Infinity)) {
      this.capTimer = setTimeout(expireAtCap, this.deadlineMs - Date.now(), this);
    }

    let result: unknown;
    try {
      result = context.with(this.traceContext, runInCallScope, undefined, this, m.fn, request, handlerContext);
    } catch (error) {
      return this.failWith(error);
    }
    Promise.resolve(result).then(
      (response: unknown) => this.respond(response),
      (error: unknown) => this.failWith(error),
    );
  }

  /** The handler's signal (aborts on cancellation or expiry), as the call's Deadline hands it out. */
  override get signal(): AbortSignal {
    return this.handlerContext!.signal;
  }

  /** Subscribes to the call's cancellation (once); runs it at once if the call is already gone. */
  watchCancellation(): void {
    if (this.watching || this.finished) return;
    this.watching = true;
    if (this.call.cancelled) this.onCancelled();
    else this.call.once('cancelled', () => this.onCancelled());
  }

  protected override watch(): void {
    this.watchCancellation();
  }

  private onCancelled(): void {
    // grpc-js also reports 'cancelled' when the stream closes after a normal response.
    if (this.finished) return;
    this.handlerContext?.abort(new ConnectError('call cancelled', Code.Canceled));
    this.cancel();
  }

  expire(): void {
    if (this.finished) return;
    const expired = this.m.kit.expiredAtCap();
    this.handlerContext?.abort(expired);
    this.cancel();
    this.fail(expired);
  }

  private respond(response: unknown): void {
    if (this.finished) return;
    const output = this.m.method.output;
    // Initial metadata always: it names the version that answered (x-feedmesh-version).
    const md = new grpc.Metadata();
    md.set(VERSION_HEADER, this.m.kit.version);
    this.handlerContext?.responseMetadataHeaders()?.forEach((value, key) => md.set(key, value));
    this.call.sendMetadata(md);
    this.finish(0);
    this.callback(null, isMessage(response, output) ? response : create(output, response as never));
    this.releaseSlot();
  }

  private failWith(thrown: unknown): void {
    if (this.finished) return;
    const { policy } = this.m;
    this.fail(context.with(this.traceContext, policy.publicError, policy, thrown));
  }

  private fail(error: ConnectError): void {
    this.finish(error.code, error.rawMessage);
    this.callback({ code: error.code as number as grpc.status, details: error.rawMessage, metadata: errorMetadata(error, this.m.kit.version) });
    this.releaseSlot();
  }

  private finish(code: number, message?: string): void {
    this.finished = true;
    this.code = code;
    if (this.capTimer) clearTimeout(this.capTimer);
    endSpan(trace.getSpan(this.traceContext)!, code, 'server', message);
    // A refused call was never started: serverShed observed it.
    if (this.admittedToRun) this.m.policy.ended(code, (performance.now() - this.started) / 1000);
  }

  /** After the answer went out: the next queued call may start. */
  private releaseSlot(): void {
    if (!this.admittedToRun) return;
    this.admittedToRun = false;
    // Only calls that did their work tell the adaptive limit how fast the app is.
    const worked = this.code === 0 || this.code === Code.DeadlineExceeded;
    this.m.kit.admission.release(worked ? { rttMs: performance.now() - this.admittedAt, budgetMs: this.budgetMs } : undefined);
  }
}

function expireAtCap(call: ServerCall): void {
  call.expire();
}

/** A failure's trailers: the error's own metadata, and the version that answered. */
function errorMetadata(error: ConnectError, version: string): grpc.Metadata {
  const md = new grpc.Metadata();
  error.metadata.forEach((value, key) => md.set(key, value));
  md.set(VERSION_HEADER, version);
  return md;
}

function authorizationOf(metadata: grpc.Metadata): string | undefined {
  const [value] = metadata.get('authorization');
  return typeof value === 'string' ? value : undefined;
}
