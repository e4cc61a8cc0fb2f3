import { Code, ConnectError } from '@connectrpc/connect';
import type { Logger } from '@feedmesh/telemetry';
import CircuitBreaker from 'opossum';

export interface BreakerSettings {
  /** Failure percentage in the rolling window that opens the circuit. */
  errorThresholdPercentage: number;
  /** Calls in the window before the percentage is trusted. */
  volumeThreshold: number;
  /** Open time before a half-open trial call. */
  resetTimeoutMs: number;
}

/** Answers that say "your request was wrong", not "the service is sick": they never open a circuit. */
const callerErrors = new Set<Code>([Code.InvalidArgument, Code.FailedPrecondition, Code.NotFound, Code.OutOfRange]);

/**
 * One circuit breaker per downstream service (opossum). A dead or drowning ranking service then
 * costs nothing per request while open — the call fails at once and the request degrades —
 * instead of its whole stage budget. Deadlines stay the job of each call's `timeoutMs`, so
 * opossum's own timer is off.
 */
export class DownstreamBreaker {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;

  constructor(
    readonly name: string,
    settings: BreakerSettings,
    logger: Logger,
  ) {
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), {
      name,
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetTimeoutMs,
      rollingCountTimeout: 10_000,
      rollingCountBuckets: 10,
      errorFilter: (error: unknown) => error instanceof ConnectError && callerErrors.has(error.code),
    });
    this.breaker.on('open', () => logger.warn({ downstream: name }, 'circuit opened: calls fail fast'));
    this.breaker.on('halfOpen', () => logger.info({ downstream: name }, 'circuit half-open: trying one call'));
    this.breaker.on('close', () => logger.info({ downstream: name }, 'circuit closed'));
  }

  /** Runs `call` through the breaker; rejects with code EOPENBREAKER while the circuit is open. */
  async call<T>(call: () => Promise<T>): Promise<T> {
    return (await this.breaker.fire(call)) as T;
  }

  get state(): 'open' | 'half_open' | 'closed' {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
