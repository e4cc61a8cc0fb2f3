import { AdaptiveLimit } from './adaptive-limit.js';

/** A call waiting for a slot; told once, either way. */
export interface AdmissionWaiter {
  admitted(): void;
  refused(reason: RefusalReason): void;
  /** A waiter whose caller has gone is skipped when its turn comes. */
  readonly abandoned?: boolean;
}

/** `abandoned`: the caller went away while queued (not counted as shed). */
export type RefusalReason = 'queue_full' | 'queue_timeout' | 'abandoned';

export interface AdmissionLimits {
  /** Calls served at once (with `adaptive`, the most the limit may grow to); 0 = no limit. */
  maxConcurrent: number;
  /** Finds the limit from the latency calls see (adaptive-limit.ts), between `minConcurrent` and `maxConcurrent`. */
  adaptive?: boolean;
  /** The adaptive limit's floor. */
  minConcurrent?: number;
  /** Calls waiting for a slot beyond that; more are refused at once. */
  maxQueued: number;
  /** Longest wait in the queue before a call is refused. */
  maxQueueWaitMs: number;
}

/** How an admitted call that did its work went, for the adaptive limit. */
export interface CallSample {
  /** From admission to its answer. */
  rttMs: number;
  /** Its deadline, as it stood when it was admitted. */
  budgetMs: number;
}

interface Queued {
  waiter: AdmissionWaiter;
  until: number;
}

/**
 * Bounded in-flight work for one app, shared by both protocols: up to the limit (`maxConcurrent`,
 * or the adaptive limit below it) calls run, up to `maxQueued` wait (FIFO, at most
 * `maxQueueWaitMs`), and the rest are refused at once, so
 * an overload costs callers a fast RESOURCE_EXHAUSTED instead of every call slowing past its
 * deadline. The fast path is a counter: no promise, timer or closure per admitted call.
 */
export class Admission {
  private active = 0;
  private readonly queue: Array<Queued | undefined> = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly adaptive: AdaptiveLimit | undefined;
  /** Average time between slot releases while calls were queued; 0 until measured. */
  private releaseGapMs = 0;
  private lastQueuedRelease = 0;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly onRefused: (reason: Exclude<RefusalReason, 'abandoned'>) => void = () => {},
  ) {
    const max = limits.maxConcurrent;
    if (limits.adaptive && max > 0) {
      // It starts at the ceiling: before anything is measured, a burst is served as with a fixed
      // limit; the first windows whose latency rises bring it down to what the machine runs.
      this.adaptive = new AdaptiveLimit({ initial: max, min: Math.min(limits.minConcurrent ?? 1, max), max });
    }
  }

  get running(): number {
    return this.active;
  }

  /** Calls that may run at once now; 0 = no limit. */
  get limit(): number {
    return this.adaptive ? this.adaptive.current : this.limits.maxConcurrent;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Takes a slot if one is free (or there is no limit). */
  tryAcquire(): boolean {
    const limit = this.limit;
    if (limit > 0 && (this.active >= limit || this.queued > 0)) return false;
    this.active++;
    return true;
  }

  /**
   * For a call `tryAcquire` turned away: queues it, or refuses it at once when the queue is full.
   * The waiter is told later (`admitted` holding a slot, or `refused`); returns false if refused now.
   */
  enqueue(waiter: AdmissionWaiter): boolean {
    // A call that would wait out MAX_QUEUE_WAIT_MS behind the others (slots free up one per
    // releaseGapMs) is refused now rather than after the wait: the queue is only as long as it drains.
    if (this.queued >= this.limits.maxQueued || (this.queued + 1) * this.releaseGapMs > this.limits.maxQueueWaitMs) {
      this.onRefused('queue_full');
      waiter.refused('queue_full');
      return false;
    }
    this.queue.push({ waiter, until: performance.now() + this.limits.maxQueueWaitMs });
    this.timer ??= setTimeout(expireQueued, this.limits.maxQueueWaitMs, this).unref();
    return true;
  }

  /**
   * Gives a slot back: the oldest waiters still there take the free slots. `sample`: how the
   * call went, when it did its work (an answer or its deadline, not a refusal of its input).
   */
  release(sample?: CallSample): void {
    const now = performance.now();
    if (sample && this.adaptive) this.adaptive.sample(sample.rttMs, sample.budgetMs, this.active, now);
    this.active--;
    if (this.queued === 0) {
      this.lastQueuedRelease = 0;
      return;
    }
    // How fast slots free up while calls wait for them (averaged over the last few releases).
    if (this.lastQueuedRelease > 0) {
      const gap = now - this.lastQueuedRelease;
      this.releaseGapMs = this.releaseGapMs === 0 ? gap : this.releaseGapMs + (gap - this.releaseGapMs) * 0.2;
    }
    this.lastQueuedRelease = now;
    this.refuseExpired(now);
    // Queued calls exist only under a limit; it may have grown by more than one slot, or shrunk.
    while (this.active < this.limit) {
      const next = this.shift();
      if (!next) return;
      if (next.waiter.abandoned) {
        next.waiter.refused('abandoned');
        continue;
      }
      this.active++;
      next.waiter.admitted();
    }
  }

  /** The timer's turn: refuses the waiters whose wait is over and re-arms for the next one. */
  expire(): void {
    const now = performance.now();
    this.refuseExpired(now);
    this.timer = this.queued > 0 ? setTimeout(expireQueued, Math.max(1, this.queue[this.head]!.until - now), this).unref() : undefined;
  }

  private refuseExpired(now: number): void {
    // FIFO with one wait bound: the head is always the first to expire.
    while (this.head < this.queue.length && this.queue[this.head]!.until <= now) {
      const { waiter } = this.shift()!;
      if (waiter.abandoned) {
        waiter.refused('abandoned');
        continue;
      }
      this.onRefused('queue_timeout');
      waiter.refused('queue_timeout');
    }
  }

  private shift(): Queued | undefined {
    if (this.head >= this.queue.length) return undefined;
    const entry = this.queue[this.head];
    this.queue[this.head++] = undefined;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    return entry;
  }
}

function expireQueued(admission: Admission): void {
  admission.expire();
}
