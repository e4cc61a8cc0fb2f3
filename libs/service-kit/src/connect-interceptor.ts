import type { DescMessage, DescMethod } from '@bufbuild/protobuf';
import { Code, ConnectError, createContextKey, type Interceptor } from '@connectrpc/connect';
import type { Logger } from '@feedmesh/telemetry';
import { CancellableScope, runInCallScope } from './call-scope.js';
import { deadlineKey } from './deadline.js';
import { invalidArgument, logFailure, toPublicError } from './errors.js';
import { compileMessageChecks } from './message-checks.js';
import type { MethodLatency, ServiceMetrics } from './metrics.js';

export interface ConnectKitOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  rejectUnknownFields: boolean;
}

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

/** What the kit's Connect adapter (connect-http.ts) knows of a call before connect-es decodes it. */
export interface ConnectCallState {
  /** Marked here: a failure before this interceptor ran happened while connect-es decoded the request, so it is the caller's. */
  reached: boolean;
  /** The caller's deadline (epoch ms) before the cap; undefined when it set none. */
  callerDeadline: number | undefined;
}

export const connectCallStateKey = createContextKey<ConnectCallState | undefined>(undefined);

/** What every call of one method shares, built on its first call. */
interface ConnectMethod {
  readonly check: ReturnType<typeof compileMessageChecks>;
  readonly latency: MethodLatency;
}

/**
 * The Connect-path twin of the gRPC handler wrapper: the same message checks, deadline scope,
 * metrics and error masking, so both protocols behave alike.
 */
export function createKitInterceptor(options: ConnectKitOptions): Interceptor {
  const { logger, metrics } = options;
  const methods = new Map<DescMethod, ConnectMethod>();
  const methodFor = (method: DescMethod): ConnectMethod => {
    let m = methods.get(method);
    if (!m) {
      m = {
        check: compileMessageChecks(method.input as DescMessage, { rejectUnknownFields: options.rejectUnknownFields }),
        latency: metrics.serverLatency(method.parent.typeName, method.name, 'connect'),
      };
      methods.set(method, m);
    }
    return m;
  };

  return (next) => async (req) => {
    const state = req.contextValues.get(connectCallStateKey);
    if (state) state.reached = true;
    const started = performance.now();
    const m = methodFor(req.method);
    metrics.serverStarted();
    let code = 0;
    try {
      if (!req.stream) {
        const violation = m.check(req.message as unknown as Record<string, unknown>, '');
        if (violation) {
          throw invalidArgument(violation.field, violation.reason);
        }
      }
      // The adapter capped the timeout (queue wait taken off) before connect-es read it.
      const timeout = Number(req.header.get('connect-timeout-ms') ?? NaN);
      const deadlineMs = Number.isFinite(timeout) ? Date.now() + timeout : Infinity;
      const scope = new ConnectCallScope(deadlineMs, state ? state.callerDeadline : Number.isFinite(deadlineMs) ? deadlineMs : undefined, req.signal);
      req.contextValues.set(deadlineKey, scope);
      return await runInCallScope(scope, next, req);
    } catch (thrown) {
      const { error, log } = toPublicError(thrown);
      if (log) logFailure(logger, log, { method: req.method.name });
      code = error.code;
      throw error;
    } finally {
      metrics.serverEnded(m.latency, code, (performance.now() - started) / 1000);
    }
  };
}
