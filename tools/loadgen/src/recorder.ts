// Records each measured call: latency into per-interval histograms (folded into the run totals
// with `Histogram.add` every second), counts by status code, and the slowest calls' trace ids.
import { newLatencyHistogram, toMicros, type Histogram } from './histograms.js';
import { OK } from './status-codes.js';
import type { TraceContext } from './traceparent.js';

export interface SlowCall {
  readonly traceId: string;
  readonly latencyMs: number;
  readonly sampled: boolean;
  readonly code: number;
}

/** Keeps the N slowest calls; inserting costs nothing unless the call beats the current N-th. */
export class SlowestCalls {
  private readonly calls: SlowCall[] = [];

  constructor(private readonly capacity = 10) {}

  offer(latencyMs: number, trace: Pick<TraceContext, 'traceId' | 'sampled'>, code: number): void {
    const calls = this.calls;
    if (calls.length === this.capacity && latencyMs <= calls[calls.length - 1].latencyMs) return;
    let index = calls.length;
    while (index > 0 && calls[index - 1].latencyMs < latencyMs) index--;
    calls.splice(index, 0, { traceId: trace.traceId, latencyMs, sampled: trace.sampled, code });
    if (calls.length > this.capacity) calls.pop();
  }

  list(): readonly SlowCall[] {
    return this.calls;
  }
}

export interface IntervalStats {
  readonly ok: number;
  readonly errors: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

export class Recorder {
  /** Latency of successful calls for the whole measured window. */
  readonly okLatency = newLatencyHistogram();
  /** Latency of failed calls (kept apart so fast failures cannot flatter the success percentiles). */
  readonly errorLatency = newLatencyHistogram();
  readonly slowest = new SlowestCalls(10);
  /** The slowest among calls sent with the sampled flag: these are the ones Jaeger has. */
  readonly slowestSampled = new SlowestCalls(10);
  private readonly intervalOk = newLatencyHistogram();
  private readonly intervalErrors = newLatencyHistogram();
  private readonly countsByCode = new Map<number, number>();
  private intervalOkCount = 0;
  private intervalErrorCount = 0;
  private okCount = 0;
  private errorCount = 0;

  record(latencyMs: number, code: number, trace: TraceContext): void {
    const micros = toMicros(latencyMs);
    if (code === OK) {
      this.intervalOk.recordValue(micros);
      this.intervalOkCount++;
    } else {
      this.intervalErrors.recordValue(micros);
      this.intervalErrorCount++;
      this.countsByCode.set(code, (this.countsByCode.get(code) ?? 0) + 1);
    }
    this.slowest.offer(latencyMs, trace, code);
    if (trace.sampled) this.slowestSampled.offer(latencyMs, trace, code);
  }

  /**
   * Folds the current interval into the totals, starts a new one, and returns the closed interval's
   * stats; `inspect` sees the interval's success histogram before it is reset.
   */
  flushInterval(inspect?: (stats: IntervalStats, intervalOk: Histogram) => void): IntervalStats {
    this.okLatency.add(this.intervalOk);
    this.errorLatency.add(this.intervalErrors);
    this.okCount += this.intervalOkCount;
    this.errorCount += this.intervalErrorCount;
    const empty = this.intervalOkCount === 0;
    const stats: IntervalStats = {
      ok: this.intervalOkCount,
      errors: this.intervalErrorCount,
      p50Ms: empty ? 0 : this.intervalOk.getValueAtPercentile(50) / 1000,
      p99Ms: empty ? 0 : this.intervalOk.getValueAtPercentile(99) / 1000,
    };
    inspect?.(stats, this.intervalOk);
    this.intervalOk.reset();
    this.intervalErrors.reset();
    this.intervalOkCount = 0;
    this.intervalErrorCount = 0;
    return stats;
  }

  get ok(): number {
    return this.okCount;
  }

  get errors(): number {
    return this.errorCount;
  }

  errorsByCode(): ReadonlyMap<number, number> {
    return this.countsByCode;
  }
}
