import type { DescMethod } from '@bufbuild/protobuf';
import { checkActingUsers, type Caller, type Gate, type NamedUsers } from '@feedmesh/identity';
import { Code, ConnectError } from '@connectrpc/connect';
import type { Logger } from '@feedmesh/telemetry';
import type { Admission, RefusalReason } from './admission.js';
import { cappedDeadline } from './deadline.js';
import { invalidArgument, logFailure, toPublicError } from './errors.js';
import { compileMessageChecks } from './message-checks.js';
import type { MethodLatency, ServiceMetrics } from './metrics.js';
import { messageTooLarge, overloaded } from './request-limits.js';
import { actingUserRule, type ServiceRegistration } from './service-registration.js';

export type Protocol = 'grpc' | 'connect';

export interface CallPolicyOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  /** Largest request message, on both protocols. */
  maxMessageBytes: number;
  rejectUnknownFields: boolean;
  /** Upper bound on a caller's deadline: longer (or absent) deadlines are cut to this. */
  maxDeadlineMs: number;
  /** Bounded in-flight work, one for both protocols. */
  admission: Admission;
  /** The version this app runs, sent with every answer (x-feedmesh-version). */
  version: string;
  /** The services served, for who may call each (`access`). */
  registrations: readonly ServiceRegistration[];
  /** The auth step's gates: edge services' callers, mesh services' callers. */
  gates: { edge: Gate; mesh: Gate };
}

/**
 * What the kit does to every served call, whichever protocol it came by, in this order; the
 * protocol adapters (grpc-adapter.ts, connect-adapter.ts and its interceptor) only translate
 * their call into these steps, so both protocols behave alike and each rule lives here once:
 *
 * 1. limits: admission (`admission`, `refused`), then the message size (`tooLarge`);
 * 2. deadline: the caller's deadline cut to MAX_DEADLINE_MS (`deadline`);
 * 3. tracing: the SERVER span continues the caller's trace (the adapters' carriers: grpc-tracing.ts,
 *    @feedmesh/otel-connect), started before admission so refusals are traced too;
 * 4. metrics: `started` / `ended` (latency and code by method and protocol), `refused` (shed);
 * 5. errors: what a handler threw becomes what the caller reads, its detail logged (`publicError`);
 * 6. auth: who is calling, by the service's gate (`authenticate`: Unauthenticated, PermissionDenied),
 *    before validation, so a stranger learns nothing of the contract;
 * 7. validation: the decoded message against the contract's rules (`invalid`), then the request
 *    acts only as its caller (`checkActingUsers`, edge services: PermissionDenied naming the field);
 * then the handler, inside the call scope (the deadline handed to downstream calls), with the
 * caller on its context (`callerOf(ctx)`).
 */
export class CallPolicy {
  readonly admission: Admission;
  private readonly methods = new Map<DescMethod, Map<Protocol, MethodPolicy>>();

  constructor(private readonly options: CallPolicyOptions) {
    this.admission = options.admission;
  }

  /** The steps for one method over one protocol, resolved once. */
  method(method: DescMethod, protocol: Protocol): MethodPolicy {
    let byProtocol = this.methods.get(method);
    if (!byProtocol) this.methods.set(method, (byProtocol = new Map()));
    let policy = byProtocol.get(protocol);
    if (!policy) byProtocol.set(protocol, (policy = new MethodPolicy(method, protocol, this.options)));
    return policy;
  }

  /** When a call expires: the caller's deadline (epoch ms; undefined for none) cut to MAX_DEADLINE_MS. */
  deadline(callerDeadline: number | undefined, now = Date.now()): number {
    return cappedDeadline(callerDeadline, this.options.maxDeadlineMs, now);
  }

  /** InvalidArgument naming the limit when a message of `bytes` (a description: "5000 bytes", "more than 1024 bytes") is over it. */
  tooLarge(size: string): ConnectError {
    return messageTooLarge(size, this.options.maxMessageBytes);
  }

  /** What a call gets when it reaches the cap its caller's longer deadline was cut to. */
  expiredAtCap(): ConnectError {
    return new ConnectError(`deadline exceeded (the server caps deadlines at ${this.options.maxDeadlineMs} ms)`, Code.DeadlineExceeded);
  }

  get maxMessageBytes(): number {
    return this.options.maxMessageBytes;
  }

  get version(): string {
    return this.options.version;
  }
}

export class MethodPolicy {
  readonly latency: MethodLatency;
  private readonly check: ReturnType<typeof compileMessageChecks>;
  private readonly metrics: ServiceMetrics;
  private readonly logger: Logger;
  private readonly gate: Gate;
  private readonly actingUsers: ((request: unknown) => NamedUsers) | undefined;

  constructor(
    readonly method: DescMethod,
    readonly protocol: Protocol,
    options: CallPolicyOptions,
  ) {
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.latency = options.metrics.serverLatency(method.parent.typeName, method.name, protocol);
    this.check = compileMessageChecks(method.input, { rejectUnknownFields: options.rejectUnknownFields });
    const registration = options.registrations.find((r) => r.service.typeName === method.parent.typeName);
    if (!registration) throw new Error(`${method.parent.typeName} is not served here`);
    this.gate = registration.access === 'mesh' ? options.gates.mesh : options.gates.edge;
    this.actingUsers = actingUserRule(registration, method.localName);
  }

  /** Who is calling, from the call's `authorization` header: the caller, or a ConnectError thrown (or rejected). */
  authenticate(authorization: string | undefined): Caller | Promise<Caller> {
    return this.gate.authenticate(authorization);
  }

  /** PermissionDenied naming the field when a valid request names a user other than its caller. */
  checkActingUsers(caller: Caller, message: unknown): void {
    if (this.actingUsers && caller.kind !== 'anonymous') checkActingUsers(caller, this.actingUsers(message));
  }

  /** A refused call (never started): counted as shed; what the caller gets. Abandoned calls get nothing. */
  refused(reason: RefusalReason, seconds: number): ConnectError {
    this.metrics.serverShed(this.latency, this.protocol, reason, seconds);
    return overloaded();
  }

  /** An admitted call starts. */
  started(): void {
    this.metrics.serverStarted();
  }

  /** A started call ended with `code` after `seconds`. */
  ended(code: number, seconds: number): void {
    this.metrics.serverEnded(this.latency, code, seconds);
  }

  /** InvalidArgument naming the first field that breaks the contract's rules, if any. */
  invalid(message: unknown): ConnectError | undefined {
    const violation = this.check(message as Record<string, unknown>, '');
    return violation && invalidArgument(violation.field, violation.reason);
  }

  /** What the caller reads for what the handler threw; what it leaves out is logged (call it inside the call's trace context). */
  publicError(thrown: unknown): ConnectError {
    const { error, log } = toPublicError(thrown);
    if (log) logFailure(this.logger, log, { method: this.method.name });
    return error;
  }
}
