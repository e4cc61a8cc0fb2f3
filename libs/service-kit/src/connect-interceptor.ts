import type { DescMessage, DescMethod } from '@bufbuild/protobuf';
import { Code, ConnectError, createContextKey, type Interceptor } from '@connectrpc/connect';
import type { Logger } from '@feedmesh/telemetry';
import { CancellableScope, runInCallScope } from './call-scope.js';
import { invalidArgument, logFailure, toPublicError } from './errors.js';
import { compileMessageChecks } from './message-checks.js';
import type { MethodLatency, ServiceMetrics } from './metrics.js';

export interface ConnectKitOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  rejectUnknownFields: boolean;
  maxDeadlineMs: number;
}

/**
 * The call scope of a Connect call: cancelled when the call's signal aborts, except on Connect's
 * own deadline. It listens to the signal only once a downstream call registers a cancel hook.
 */
class ConnectCallScope extends CancellableScope {
  private watching = false;

  constructor(
    deadlineMs: number,
    private readonly signal: AbortSignal,
  ) {
    super(deadlineMs);
  }

  protected override watch(): void {
    if (this.watching) return;
    this.watching = true;
    if (this.signal.aborted) this.onAbort();
    else this.signal.addEventListener('abort', () => this.onAbort(), { once: true });
  }

  private onAbort(): void {
    // Connect's own timer starts on arrival, a moment before this deadline: when it fires, the
    // downstream calls are left to expire by their own deadline (DEADLINE_EXCEEDED) rather
    // than being cancelled a few ms early, which would surface as CANCELLED.
    const reason: unknown = this.signal.reason;
    if (!(reason instanceof ConnectError && reason.code === Code.DeadlineExceeded)) this.cancel();
  }
}

/**
 * Set by the kit's Connect adapter, marked here: a failure before this interceptor ran happened
 * while connect-es decoded the request, so it is the caller's (see connect-http.ts).
 */
export const handlerReachedKey = createContextKey<{ reached: boolean } | undefined>(undefined);

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
  const { logger, metrics, maxDeadlineMs } = options;
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
    const state = req.contextValues.get(handlerReachedKey);
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
      const timeout = Number(req.header.get('connect-timeout-ms') ?? NaN);
      const deadlineMs = Date.now() + Math.min(Number.isFinite(timeout) ? timeout : Infinity, maxDeadlineMs);
      return await runInCallScope(new ConnectCallScope(deadlineMs, req.signal), next, req);
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
