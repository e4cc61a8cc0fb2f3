import { Code, ConnectError } from '@connectrpc/connect';
import { currentDeadline } from '@feedmesh/service-kit';
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

/** Slack between the deadline a call was given and the served call's own (clock reads, rounding). */
const deadlineSlackMs = 2;

/**
 * Wait before the next trial when a trial was refused (Unavailable). A refusal is answered at
 * once, so a trial that meets one cost its request nothing, and the usual open period would only
 * add up to `resetTimeoutMs` to recovery: right after a restart the client's channel is often
 * still in its reconnect backoff and refuses the first trial although the service is up.
 */
const refusedTrialRetryMs = 100;

/**
 * One circuit breaker per downstream service (opossum). A dead or drowning ranking service then
 * costs nothing per request while open — the call fails at once and the request degrades —
 * instead of its whole stage budget. Deadlines stay the job of each call's `timeoutMs`, so
 * opossum's own timer is off.
 */
export class DownstreamBreaker {
  private readonly breaker: CircuitBreaker<[() => Promise<unknown>], unknown>;
  /** Failures that were ours, not the downstream's: opossum's errorFilter lets them pass uncounted. */
  private readonly ownFailures = new WeakSet<object>();

  constructor(
    readonly name: string,
    settings: BreakerSettings,
    logger: Logger,
  ) {
    // opossum keeps this object and reads resetTimeout each time the circuit opens, so the open
    // period can be chosen per opening (below).
    const options: CircuitBreaker.Options = {
      name,
      timeout: false,
      errorThresholdPercentage: settings.errorThresholdPercentage,
      volumeThreshold: settings.volumeThreshold,
      resetTimeout: settings.resetTimeoutMs,
      rollingCountTimeout: 10_000,
      rollingCountBuckets: 10,
      errorFilter: (error: unknown) =>
        (error instanceof ConnectError && callerErrors.has(error.code)) || (typeof error === 'object' && error !== null && this.ownFailures.has(error)),
    };
    this.breaker = new CircuitBreaker((call: () => Promise<unknown>) => call(), options);
    // opossum emits 'failure' before it reopens a half-open circuit, so the period set here is
    // the one the reopened circuit waits.
    this.breaker.on('failure', (error: unknown) => {
      if (!this.breaker.halfOpen) return;
      const refused = error instanceof ConnectError && error.code === Code.Unavailable;
      options.resetTimeout = refused ? Math.min(refusedTrialRetryMs, settings.resetTimeoutMs) : settings.resetTimeoutMs;
      logger.info({ downstream: name, err: error }, refused ? 'trial call refused: trying again shortly' : 'trial call failed: circuit open again');
    });
    this.breaker.on('open', () => logger.warn({ downstream: name }, 'circuit opened: calls fail fast'));
    this.breaker.on('halfOpen', () => {
      options.resetTimeout = settings.resetTimeoutMs;
      logger.info({ downstream: name }, 'circuit half-open: trying one call');
    });
    this.breaker.on('close', () => logger.info({ downstream: name }, 'circuit closed'));
  }

  /**
   * Runs `call` through the breaker; rejects with code EOPENBREAKER while the circuit is open.
   * `timeoutMs` is the time the call was meant to have: when the request being served had less
   * left (it waited in a queue under overload), the call's deadline was the caller's, and its
   * expiry (or a cancellation) says nothing about the downstream, so it does not count against it.
   * Otherwise a burst of requests that arrive already late would open every circuit.
   */
  async call<T>(call: () => Promise<T>, timeoutMs?: number): Promise<T> {
    const callerLeftMs = currentDeadline()?.remaining() ?? Infinity;
    const callerBound = timeoutMs === undefined ? false : callerLeftMs < timeoutMs + deadlineSlackMs;
    const guarded = async () => {
      try {
        return await call();
      } catch (error) {
        if (error instanceof ConnectError && (error.code === Code.Canceled || (callerBound && error.code === Code.DeadlineExceeded))) {
          this.ownFailures.add(error);
        }
        throw error;
      }
    };
    return (await this.breaker.fire(guarded)) as T;
  }

  get state(): 'open' | 'half_open' | 'closed' {
    return this.breaker.opened ? 'open' : this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  shutdown(): void {
    this.breaker.shutdown();
  }
}
