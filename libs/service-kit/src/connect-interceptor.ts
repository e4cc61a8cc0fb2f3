import { Code, ConnectError, createContextKey, type Interceptor } from '@connectrpc/connect';
import type { CallPolicy } from './call-policy.js';
import { CancellableScope, runInCallScope } from './call-scope.js';
import { callerKey } from './caller-context.js';
import { deadlineKey } from './deadline.js';

/**
 * The call scope of a Connect call: cancelled when the call's signal aborts, except on Connect's
 * own deadline. It listens to the signal only once a downstream call registers a cancel hook.
 */
class ConnectCallScope extends CancellableScope {
  private watching = false;

  constructor(
    deadlineMs: number,
    callerDeadline: number | undefined,
    private readonly callSignal: AbortSignal,
  ) {
    super(deadlineMs, callerDeadline);
  }

  override get signal(): AbortSignal {
    return this.callSignal;
  }

  protected override watch(): void {
    if (this.watching) return;
    this.watching = true;
    if (this.callSignal.aborted) this.onAbort();
    else this.callSignal.addEventListener('abort', () => this.onAbort(), { once: true });
  }

  private onAbort(): void {
    // Connect's own timer starts on arrival, a moment before this deadline: when it fires, the
    // downstream calls are left to expire by their own deadline (DEADLINE_EXCEEDED) rather
    // than being cancelled a few ms early, which would surface as CANCELLED.
    const reason: unknown = this.callSignal.reason;
    if (!(reason instanceof ConnectError && reason.code === Code.DeadlineExceeded)) this.cancel();
  }
}

/** What the kit's Connect adapter (connect-adapter.ts) knows of a call before connect-es decodes it. */
export interface ConnectCallState {
  /** Marked here: a failure before this interceptor ran happened while connect-es decoded the request, so it is the caller's. */
  reached: boolean;
  /** The caller's deadline (epoch ms) before the cap; undefined when it set none. */
  callerDeadline: number | undefined;
}

export const connectCallStateKey = createContextKey<ConnectCallState | undefined>(undefined);

/**
 * The call policy's steps on the Connect path once connect-es decoded the message (the adapter,
 * connect-adapter.ts, did admission, size and the deadline cap before): metrics, auth, validation
 * and the acting user, the deadline's call scope and error masking, as the gRPC adapter does them.
 */
export function createKitInterceptor(kit: CallPolicy): Interceptor {
  return (next) => async (req) => {
    const state = req.contextValues.get(connectCallStateKey);
    if (state) state.reached = true;
    const started = performance.now();
    const policy = kit.method(req.method, 'connect');
    policy.started();
    let code = 0;
    try {
      const caller = await policy.authenticate(req.header.get('authorization') ?? undefined);
      req.contextValues.set(callerKey, caller);
      const invalid = req.stream ? undefined : policy.invalid(req.message);
      if (invalid) throw invalid;
      if (!req.stream) policy.checkActingUsers(caller, req.message);
      // The adapter capped the timeout (queue wait taken off) before connect-es read it.
      const timeout = Number(req.header.get('connect-timeout-ms') ?? NaN);
      const deadlineMs = Number.isFinite(timeout) ? Date.now() + timeout : Infinity;
      const scope = new ConnectCallScope(deadlineMs, state ? state.callerDeadline : Number.isFinite(deadlineMs) ? deadlineMs : undefined, req.signal);
      req.contextValues.set(deadlineKey, scope);
      return await runInCallScope(scope, next, req);
    } catch (thrown) {
      const error = policy.publicError(thrown);
      code = error.code;
      throw error;
    } finally {
      policy.ended(code, (performance.now() - started) / 1000);
    }
  };
}
