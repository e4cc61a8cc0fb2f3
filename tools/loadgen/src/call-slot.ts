// One reusable in-flight call record. Schedulers own a fixed pool of these (concurrency or
// max-inflight), so the hot path reuses the slot, its trace fields and its bound completion
// callback instead of allocating a closure per request.
import type { TraceContext } from './traceparent.js';

export type FinishHandler = (slot: CallSlot, code: number) => void;

export class CallSlot implements TraceContext {
  traceId = '';
  traceparent = '';
  sampled = false;
  /** When the request should have started (open loop) or did start (closed loop); latency is charged from here. */
  intendedStartMs = 0;
  /** The decoded response of the call just finished, kept only for a per-call hook (`LoadOptions.onCall`). */
  response: unknown = undefined;
  /** Completes the call with a gRPC status code (0 = OK). Bound once per slot. */
  readonly finish: (code: number) => void;

  constructor(
    readonly id: number,
    onFinish: FinishHandler,
  ) {
    this.finish = (code) => onFinish(this, code);
  }
}
