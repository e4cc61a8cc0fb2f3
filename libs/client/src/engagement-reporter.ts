// The engagement reporter: the app calls view / like / share / hide (synchronous, O(1), never
// throws); events are buffered and sent in batches through IngestService.RecordEngagement, one
// batch in flight at a time, off the caller's path.
//
// Duplicate safety. RecordEngagementRequest has no batch id field: ingest stores an event once
// per natural key (user, item, type, occurred_at; the engagement_events primary key) and counts a
// repeat in `duplicates`. So each event's occurred_at is fixed when the app reports it, and a
// batch, once formed, is frozen: a retry (of a lost answer, or on the next flush after the
// retries ran out) sends exactly the same events, which ingest skips as duplicates, never
// counting them twice. The batch's request id is sent in the `x-request-id` header, stable
// across its retries, for logs and for a server-side batch id should the contract gain one.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, type Client } from '@connectrpc/connect';
import { EngagementType, type IngestService, type RecordEngagementResponse } from '@feedmesh/contracts';
import { retryLostAnswer } from './retry.js';

export type EngagementKind = 'VIEW' | 'LIKE' | 'SHARE' | 'HIDE' | 'CLICK';

export interface EngagementInput {
  itemId: string;
  type: EngagementKind;
  /** Time spent on the item (ms), optional. */
  dwellMs?: number;
  /** When it happened (Unix ms); default: now. */
  occurredAtMs?: number;
}

export interface EngagementBatch {
  /** Stable across every retry of this batch. */
  readonly requestId: string;
  readonly events: readonly Readonly<Required<Omit<EngagementInput, 'dwellMs'>> & { dwellMs: number }>[];
  /** Sends so far (1 + retries). */
  attempts: number;
}

export interface BatchResult {
  batch: EngagementBatch;
  /** The answer; undefined when the batch failed (see `error`). */
  response?: RecordEngagementResponse;
  error?: ConnectError;
  /** True when a failed batch is kept to be sent again (same request id); false when it was dropped. */
  requeued?: boolean;
}

export interface EngagementReporterOptions {
  /** Send when this many events are buffered (default 100; at most 5000, the contract's limit). */
  maxBatchSize?: number;
  /** Send at most this long after the first buffered event (default 5000 ms). */
  maxDelayMs?: number;
  /** Events kept while ingest is unreachable; beyond it the oldest are dropped (default 5000). */
  maxBufferedEvents?: number;
  /** Retries of a batch whose answer was lost, before it waits for the next flush (default 3). */
  maxRetries?: number;
  retryBackoffMs?: number;
  /** Deadline of one RecordEngagement call (default 5000 ms). */
  timeoutMs?: number;
  /** Told about every batch sent (accepted / duplicates / rejected records, or the error). */
  onBatch?: (result: BatchResult) => void;
  /** Told about what went wrong (a dropped batch, dropped events, a bad input); never thrown. */
  onError?: (error: unknown) => void;
  /** Clock (Unix ms), for tests. */
  now?: () => number;
  /** Unique id of a batch (default crypto.randomUUID). */
  newRequestId?: () => string;
}

export interface EngagementReporter {
  readonly userId: string;
  /** Buffers one event. Synchronous, never throws. */
  track(event: EngagementInput): void;
  view(itemId: string, dwellMs?: number): void;
  like(itemId: string): void;
  share(itemId: string): void;
  hide(itemId: string): void;
  /** Events buffered and not yet acknowledged (including a batch in flight or awaiting a retry). */
  readonly pending: number;
  /** Sends everything buffered now; resolves (never rejects) when it is acknowledged or given up on. */
  flush(): Promise<void>;
  /** Flushes, then stops the timer and the lifecycle hooks; later events are ignored. */
  close(): Promise<void>;
}

/** Installs "flush now" hooks (page hide, process exit); returns their removal. */
export type LifecycleHook = (flush: () => void) => () => void;

const types: Record<EngagementKind, EngagementType> = {
  VIEW: EngagementType.VIEW,
  LIKE: EngagementType.LIKE,
  SHARE: EngagementType.SHARE,
  HIDE: EngagementType.HIDE,
  CLICK: EngagementType.CLICK,
};

/** Codes after which the same batch may well succeed later; anything else drops it. */
const transientCodes: readonly Code[] = [Code.Unavailable, Code.DeadlineExceeded, Code.ResourceExhausted, Code.Aborted, Code.Internal, Code.Unknown];
const maxContractBatch = 5000;

function defaultRequestId(): string {
  return globalThis.crypto.randomUUID();
}

function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  // Node: a pending flush timer does not keep the process alive (the exit hook flushes instead).
  (timer as { unref?: () => void }).unref?.();
}

export function createEngagementReporter(
  service: Client<typeof IngestService>,
  userId: string,
  options: EngagementReporterOptions = {},
  lifecycle?: LifecycleHook,
): EngagementReporter {
  const maxBatchSize = Math.min(Math.max(1, options.maxBatchSize ?? 100), maxContractBatch);
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const maxBuffered = Math.max(maxBatchSize, options.maxBufferedEvents ?? 5_000);
  const now = options.now ?? Date.now;
  const newRequestId = options.newRequestId ?? defaultRequestId;
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // A failing callback must not break the reporter.
    }
  };
  const told = (result: BatchResult) => {
    try {
      options.onBatch?.(result);
    } catch (error) {
      report(error);
    }
  };

  let buffer: EngagementBatch['events'][number][] = [];
  /** A batch that failed transiently, sent again (same id) before anything newer. */
  let retryBatch: EngagementBatch | undefined;
  let inFlight: EngagementBatch | undefined;
  let sending: Promise<void> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function schedule(): void {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void drain(false);
    }, maxDelayMs);
    unrefTimer(timer);
  }

  function cancelTimer(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  async function send(batch: EngagementBatch): Promise<void> {
    const request = {
      events: batch.events.map((e) => ({ userId, itemId: e.itemId, type: types[e.type], occurredAt: timestampFromMs(e.occurredAtMs), dwellMs: e.dwellMs })),
    };
    try {
      const response = await retryLostAnswer(
        () => {
          batch.attempts++;
          return service.recordEngagement(request, { timeoutMs: options.timeoutMs ?? 5_000, headers: { 'x-request-id': batch.requestId } });
        },
        { maxRetries: options.maxRetries ?? 3, backoffMs: options.retryBackoffMs ?? 200, retryOn: transientCodes },
      );
      told({ batch, response });
    } catch (error) {
      const e = ConnectError.from(error);
      const requeued = transientCodes.includes(e.code) && !closed;
      if (requeued) {
        inFlight = undefined;
        retryBatch = batch;
      }
      told({ batch, error: e, requeued });
      if (!requeued) report(e);
    }
  }

  /** Sends batches until the buffer holds less than a full batch (everything, when `all`). */
  async function sendBuffered(all: boolean): Promise<void> {
    // A batch put back after its retries ran out goes first, once per drain.
    if (retryBatch) {
      const batch = retryBatch;
      retryBatch = undefined;
      inFlight = batch;
      await send(batch);
      inFlight = undefined;
      if (retryBatch) return; // still unreachable: the rest stays buffered for later
    }
    while (buffer.length >= maxBatchSize || (buffer.length > 0 && (all || timer === undefined))) {
      const events = buffer.slice(0, maxBatchSize);
      buffer = buffer.slice(events.length);
      inFlight = { requestId: newRequestId(), events, attempts: 0 };
      await send(inFlight);
      inFlight = undefined;
      if (retryBatch) return;
    }
  }

  /** One drain at a time; `all` waits for the running one, then sends what is left. */
  function drain(all: boolean): Promise<void> {
    if (sending) return all ? sending.then(() => drain(true)) : sending;
    const run = sendBuffered(all)
      .catch(report)
      .finally(() => {
        inFlight = undefined;
        if (sending === run) sending = undefined;
        if (buffer.length > 0 || retryBatch) schedule();
      });
    sending = run;
    return run;
  }

  function track(event: EngagementInput): void {
    try {
      if (closed) return;
      if (!(event.type in types) || typeof event.itemId !== 'string' || event.itemId === '') {
        report(new ConnectError(`engagement event ignored: ${JSON.stringify(event)}`, Code.InvalidArgument));
        return;
      }
      buffer.push({ itemId: event.itemId, type: event.type, occurredAtMs: event.occurredAtMs ?? now(), dwellMs: Math.max(0, Math.round(event.dwellMs ?? 0)) });
      if (buffer.length > maxBuffered) {
        const dropped = buffer.length - maxBuffered;
        buffer = buffer.slice(dropped);
        report(new ConnectError(`engagement buffer full: dropped the ${dropped} oldest events`, Code.ResourceExhausted));
      }
      if (buffer.length >= maxBatchSize) {
        // Off the caller's stack: the send starts after the current task.
        queueMicrotask(() => void drain(false));
      } else {
        schedule();
      }
    } catch (error) {
      report(error);
    }
  }

  async function flush(): Promise<void> {
    try {
      cancelTimer();
      await drain(true);
    } catch (error) {
      report(error);
    }
  }

  const removeHooks = lifecycle?.(() => void flush());

  return {
    userId,
    track,
    view: (itemId, dwellMs) => track({ itemId, type: 'VIEW', dwellMs }),
    like: (itemId) => track({ itemId, type: 'LIKE' }),
    share: (itemId) => track({ itemId, type: 'SHARE' }),
    hide: (itemId) => track({ itemId, type: 'HIDE' }),
    get pending() {
      return buffer.length + (inFlight?.events.length ?? 0) + (retryBatch?.events.length ?? 0);
    },
    flush,
    async close() {
      if (closed) return;
      await flush();
      closed = true;
      cancelTimer();
      const unsent = buffer.length + (retryBatch?.events.length ?? 0);
      if (unsent > 0) report(new ConnectError(`${unsent} engagement events not sent: the reporter closed while ingest was unreachable`, Code.Unavailable));
      try {
        removeHooks?.();
      } catch (error) {
        report(error);
      }
    },
  };
}
