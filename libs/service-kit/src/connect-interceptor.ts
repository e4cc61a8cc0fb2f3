import type { DescMessage, DescMethod } from '@bufbuild/protobuf';
import { Code, ConnectError, type Interceptor } from '@connectrpc/connect';
import type { Logger } from '@feedmesh/telemetry';
import { CancellableScope, runInCallScope } from './call-scope.js';
import { invalidArgument } from './errors.js';
import { compileMessageChecks } from './message-checks.js';
import type { ServiceMetrics } from './metrics.js';

export interface ConnectKitOptions {
  logger: Logger;
  metrics: ServiceMetrics;
  rejectUnknownFields: boolean;
  maxDeadlineMs: number;
}

/**
 * The Connect-path twin of the gRPC handler wrapper: the same message checks, deadline scope,
 * metrics and error masking, so both protocols behave alike.
 */
export function createKitInterceptor(options: ConnectKitOptions): Interceptor {
  const { logger, metrics, maxDeadlineMs } = options;
  const checks = new Map<DescMethod, ReturnType<typeof compileMessageChecks>>();
  const checkFor = (method: DescMethod) => {
    let check = checks.get(method);
    if (!check) {
      check = compileMessageChecks(method.input as DescMessage, { rejectUnknownFields: options.rejectUnknownFields });
      checks.set(method, check);
    }
    return check;
  };

  return (next) => async (req) => {
    const started = performance.now();
    const service = req.service.typeName;
    const method = req.method.name;
    metrics.serverStarted();
    let code = 0;
    try {
      if (!req.stream) {
        const violation = checkFor(req.method)(req.message as unknown as Record<string, unknown>, '');
        if (violation) {
          throw invalidArgument(violation.field, violation.reason);
        }
      }
      const timeout = Number(req.header.get('connect-timeout-ms') ?? NaN);
      const deadlineMs = Date.now() + Math.min(Number.isFinite(timeout) ? timeout : Infinity, maxDeadlineMs);
      const scope = new CancellableScope(deadlineMs);
      // Connect's own timer starts on arrival, a moment before this deadline: when it fires, the
      // downstream calls are left to expire by their own deadline (DEADLINE_EXCEEDED) rather
      // than being cancelled a few ms early, which would surface as CANCELLED.
      req.signal.addEventListener(
        'abort',
        () => {
          if (!(req.signal.reason instanceof ConnectError && req.signal.reason.code === Code.DeadlineExceeded)) scope.cancel();
        },
        { once: true },
      );
      return await runInCallScope(scope, () => next(req));
    } catch (error) {
      if (error instanceof ConnectError) {
        code = error.code;
        throw error;
      }
      code = Code.Internal;
      logger.error({ err: error, method }, 'unhandled error in handler');
      throw new ConnectError('internal error', Code.Internal);
    } finally {
      metrics.serverFinished(service, method, code, 'connect', (performance.now() - started) / 1000);
    }
  };
}
