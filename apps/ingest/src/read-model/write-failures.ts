import type { Logger } from '@feedmesh/telemetry';
import { Counter, type Registry } from 'prom-client';

const LOG_INTERVAL_MS = 10_000;

/**
 * Failed best-effort read-model writes on the request path: each one counted
 * (`ingest_read_model_write_failures_total{write}`), at most one log line per 10 s (a Redis
 * outage would otherwise log every request) saying how many were not logged since.
 */
export class ReadModelWriteFailures {
  private readonly counter: Counter<'write'> | undefined;
  private lastLogMs = -Infinity;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    registry?: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.counter = registry
      ? new Counter({
          name: 'ingest_read_model_write_failures_total',
          help: 'Read-model writes (Redis) that failed after their Postgres commit; the data is safe, the read model lags until the key is written again.',
          labelNames: ['write'],
          registers: [registry],
        })
      : undefined;
  }

  record(write: string, error: unknown): void {
    this.counter?.labels(write).inc();
    const now = this.now();
    if (now - this.lastLogMs < LOG_INTERVAL_MS) {
      this.unlogged++;
      return;
    }
    this.logger.warn({ err: error, write, unloggedSinceLast: this.unlogged }, 'read model write failed (stored in Postgres; Redis lags until the key is written again)');
    this.lastLogMs = now;
    this.unlogged = 0;
  }
}
