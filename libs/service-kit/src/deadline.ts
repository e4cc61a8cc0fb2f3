import type { HandlerContext } from '@connectrpc/connect';
import { createContextKey } from '@connectrpc/connect';
import { CancellableScope, currentCallScope } from './call-scope.js';
import { GrpcHandlerContext } from './grpc-handler-context.js';

/**
 * The time a served call has, as the kit hands it to the handler (`deadlineOf(ctx)`) and to code
 * running under it (`currentDeadline()`): what the caller asked for, what the call really has
 * (the caller's deadline, cut to MAX_DEADLINE_MS), and a signal that aborts when the call ends.
 */
export interface Deadline {
  /** The caller's deadline in epoch ms; undefined when the caller set none. */
  readonly callerDeadline: number | undefined;
  /** When the call expires, epoch ms: the caller's deadline cut to MAX_DEADLINE_MS (the cap when the caller set none). */
  readonly expiresAt: number;
  /** Milliseconds left before `expiresAt`, never negative. */
  remaining(): number;
  /** A budget for one step: `fraction` of the time left, at most `maxMs`. */
  share(fraction: number, maxMs?: number): number;
  /** Aborts when the call is cancelled or expires. */
  readonly signal: AbortSignal;
}

/** The one place the MAX_DEADLINE_MS cap is applied, on both protocols: when a call expires. */
export function cappedDeadline(callerDeadline: number | undefined, maxDeadlineMs: number, now = Date.now()): number {
  return Math.min(callerDeadline ?? Infinity, now + maxDeadlineMs);
}

/** Where the Connect adapter leaves a call's deadline for `deadlineOf`. */
export const deadlineKey = createContextKey<Deadline | undefined>(undefined);

/** A handler's deadline. Outside the kit (a handler called directly, in a test) it is read from `ctx.timeoutMs()`. */
export function deadlineOf(ctx: HandlerContext): Deadline {
  const served = ctx instanceof GrpcHandlerContext ? ctx.deadline : ctx.values.get(deadlineKey);
  if (served) return served;
  const timeoutMs = ctx.timeoutMs();
  return new DeadlineOfContext(timeoutMs === undefined ? undefined : Date.now() + timeoutMs, ctx.signal);
}

/** The deadline of the call being served, for code under its handler that has no context at hand (a client wrapper); undefined outside a served call. */
export function currentDeadline(): Deadline | undefined {
  const scope = currentCallScope();
  return scope instanceof CancellableScope ? scope : undefined;
}

/** A deadline `timeoutMs` from now (none when undefined), not tied to a served call: for work the app starts itself, and tests. */
export function deadlineAfter(timeoutMs: number | undefined, signal?: AbortSignal): Deadline & CancellableScope {
  const at = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  return signal ? new DeadlineOfContext(at, signal) : new CancellableScope(at ?? Infinity, at);
}

class DeadlineOfContext extends CancellableScope {
  constructor(
    at: number | undefined,
    private readonly contextSignal: AbortSignal,
  ) {
    super(at ?? Infinity, at);
  }

  override get signal(): AbortSignal {
    return this.contextSignal;
  }
}
