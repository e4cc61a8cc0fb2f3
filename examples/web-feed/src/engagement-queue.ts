// The page's side of engagement: events are stamped when they happen and sent to the BFF in
// batches (`POST /api/engagement`). A batch that failed goes again with the same events and the
// same times, which ingest stores once per (user, item, type, time): a retry is never counted
// twice. DOM-free (the page injects how to send), so the unit tests drive it directly.

export type EventType = 'VIEW' | 'LIKE' | 'HIDE';

export interface QueuedEvent {
  itemId: string;
  type: EventType;
  occurredAtMs: number;
  dwellMs?: number;
}

export interface EngagementQueueOptions {
  /** Sends one batch; resolves true when the BFF took it (2xx). */
  send: (events: QueuedEvent[]) => Promise<boolean>;
  /** Last-chance send as the page goes away (navigator.sendBeacon); true when handed over. */
  beacon?: (events: QueuedEvent[]) => boolean;
  /** Impressions wait at most this long (default 3000 ms); likes and hides go at once. */
  maxDelayMs?: number;
  maxBatch?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

export class EngagementQueue {
  private queue: QueuedEvent[] = [];
  private timer: unknown;
  private sending: Promise<void> | undefined;
  private readonly maxDelayMs: number;
  private readonly maxBatch: number;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;

  constructor(private readonly options: EngagementQueueOptions) {
    this.maxDelayMs = options.maxDelayMs ?? 3_000;
    this.maxBatch = options.maxBatch ?? 100;
    this.now = options.now ?? Date.now;
    this.setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Queues one event; a like or hide starts a send now (resolves when it is done). */
  track(itemId: string, type: EventType, dwellMs?: number): Promise<void> {
    this.queue.push({ itemId, type, occurredAtMs: this.now(), ...(dwellMs === undefined ? {} : { dwellMs }) });
    if (type !== 'VIEW') return this.flush();
    if (this.timer === undefined) {
      this.timer = this.setTimer(() => {
        this.timer = undefined;
        void this.flush();
      }, this.maxDelayMs);
    }
    return Promise.resolve();
  }

  /** Sends everything queued, one batch at a time; failed batches stay queued (same events). */
  flush(): Promise<void> {
    if (this.sending) return this.sending.then(() => this.flush());
    if (this.queue.length === 0) return Promise.resolve();
    const run = (async () => {
      while (this.queue.length > 0) {
        const batch = this.queue.slice(0, this.maxBatch);
        let ok: boolean;
        try {
          ok = await this.options.send(batch);
        } catch {
          ok = false;
        }
        if (!ok) return; // kept as they are, for the next flush or the beacon
        this.queue = this.queue.slice(batch.length);
      }
    })().finally(() => {
      this.sending = undefined;
    });
    this.sending = run;
    return run;
  }

  /** The page is going away: hand everything to the beacon (it outlives the page). */
  flushOnExit(): void {
    if (!this.options.beacon) {
      void this.flush();
      return;
    }
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatch);
      if (!this.options.beacon(batch)) return;
      this.queue = this.queue.slice(batch.length);
    }
  }
}
