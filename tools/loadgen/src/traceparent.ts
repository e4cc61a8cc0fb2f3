// W3C Trace Context `traceparent` for every request: "00-<32 hex trace id>-<16 hex span id>-<flags>".
// Ids come from a pooled crypto random buffer refilled in bulk, so a request costs one hex slice
// instead of a syscall; the sampled flag (01) is set on a `sampleRate` fraction of requests.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 24 * 1024; // 1024 requests' worth of trace + span ids per refill
const ID_BYTES = 24; // 16 trace + 8 span
const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);

export interface TraceContext {
  traceId: string;
  traceparent: string;
  sampled: boolean;
}

export class TraceparentSource {
  private readonly pool = Buffer.allocUnsafe(POOL_BYTES);
  private offset = POOL_BYTES;

  constructor(
    private readonly sampleRate: number,
    private readonly random: () => number = Math.random,
  ) {
    if (!(sampleRate >= 0 && sampleRate <= 1)) throw new RangeError(`trace sample rate must be within [0, 1], got ${sampleRate}`);
  }

  /** Fills `into` with fresh ids (the object is reused per in-flight call to avoid allocation). */
  next(into: TraceContext): void {
    let traceId: string;
    let spanId: string;
    do {
      if (this.offset === POOL_BYTES) {
        randomFillSync(this.pool);
        this.offset = 0;
      }
      traceId = this.pool.toString('hex', this.offset, this.offset + 16);
      spanId = this.pool.toString('hex', this.offset + 16, this.offset + ID_BYTES);
      this.offset += ID_BYTES;
      // All-zero ids are invalid per the spec; with random bytes this loop almost never repeats.
    } while (traceId === ZERO_TRACE_ID || spanId === ZERO_SPAN_ID);
    into.sampled = this.sampleRate > 0 && this.random() < this.sampleRate;
    into.traceId = traceId;
    into.traceparent = `00-${traceId}-${spanId}-${into.sampled ? '01' : '00'}`;
  }
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

/** Parses a traceparent this tool produces; undefined when malformed. */
export function parseTraceparent(value: string): { traceId: string; spanId: string; sampled: boolean } | undefined {
  const match = TRACEPARENT.exec(value);
  if (match === null || match[1] === ZERO_TRACE_ID || match[2] === ZERO_SPAN_ID) return undefined;
  return { traceId: match[1], spanId: match[2], sampled: match[3] === '01' };
}
