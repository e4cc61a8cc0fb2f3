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
  /** Calls served at once; 0 = no limit. */
  maxConcurrent: number;
  /** Calls waiting for a slot beyond that; more are refused at once. */
  maxQueued: number;
  /** Longest wait in the queue before a call is refused. */
  maxQueueWaitMs: number;
}

interface Queued {
  waiter: AdmissionWaiter;
  until: number;
}

/**
 * Bounded in-flight work for one app, shared by both protocols: up to `maxConcurrent` calls run,
 * up to `maxQueued` wait (FIFO, at most `maxQueueWaitMs`), and the rest are refused at once, so
 * an overload costs callers a fast RESOURCE_EXHAUSTED instead of every call slowing past its
 * deadline. The fast path is a counter: no promise, timer or closure per admitted call.
 */
export class Admission {
  private active = 0;
  private readonly queue: Array<Queued | undefined> = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly onRefused: (reason: Exclude<RefusalReason, 'abandoned'>) => void = () => {},
  ) {}

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length - this.head;
  }

  /** Takes a slot if one is free (or there is no limit). */
  tryAcquire(): boolean {
    if (this.limits.maxConcurrent > 0 && (this.active >= this.limits.maxConcurrent || this.queued > 0)) return false;
    this.active++;
    return true;
  }

  /**
   * For a call `tryAcquire` turned away: queues it, or refuses it at once when the queue is full.
   * The waiter is told later (`admitted` holding a slot, or `refused`); returns false if refused now.
   */
  enqueue(waiter: AdmissionWaiter): boolean {
    if (this.queued >= this.limits.maxQueued) {
      this.onRefused('queue_full');
      waiter.refused('queue_full');
      return false;
    }
    this.queue.push({ waiter, until: performance.now() + this.limits.maxQueueWaitMs });
    this.timer ??= setTimeout(expireQueued, this.limits.maxQueueWaitMs, this).unref();
    return true;
  }

  /** Gives a slot back: the oldest waiter still there takes it. */
  release(): void {
    this.active--;
    if (this.queued > 0) this.refuseExpired(performance.now());
    for (let next = this.shift(); next; next = this.shift()) {
      if (next.waiter.abandoned) {
        next.waiter.refused('abandoned');
        continue;
      }
      this.active++;
      next.waiter.admitted();
      return;
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
