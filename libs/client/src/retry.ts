// Retrying a lost answer. GetFeed is safe to retry with the same cursor (the contract says so:
// the aggregator replays a page it already served), and RecordEngagement skips duplicates on
// their natural key, so an answer lost in transit (Unavailable: the connection dropped, the app
// restarted; DeadlineExceeded: the answer came too late) is asked for again, the same request.
import { Code, ConnectError } from '@connectrpc/connect';

export interface RetryOptions {
  /** Attempts after the first; 0 turns retries off. Default 2. */
  maxRetries?: number;
  /** Base backoff: retry n waits a random time in [base * 2^n / 2, base * 2^n]. Default 100 ms. */
  backoffMs?: number;
  /** Codes that mean "the answer was lost" (default: Unavailable, DeadlineExceeded). */
  retryOn?: readonly Code[];
  /** Told before each retry (for logs or metrics). */
  onRetry?: (error: ConnectError, retry: number) => void;
}

export const lostAnswerCodes: readonly Code[] = [Code.Unavailable, Code.DeadlineExceeded];

/** Waits `ms`, or rejects at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(ConnectError.from(signal.reason ?? 'aborted', Code.Canceled));
    const onAbort = () => {
      clearTimeout(timer);
      reject(ConnectError.from(signal!.reason ?? 'aborted', Code.Canceled));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Runs `call` (the same request each time), retrying it while it fails with a lost-answer code. */
export async function retryLostAnswer<T>(call: () => Promise<T>, options: RetryOptions = {}, signal?: AbortSignal): Promise<T> {
  const maxRetries = options.maxRetries ?? 2;
  const backoffMs = options.backoffMs ?? 100;
  const retryOn = options.retryOn ?? lostAnswerCodes;
  for (let n = 0; ; n++) {
    try {
      return await call();
    } catch (error) {
      const e = ConnectError.from(error);
      if (n >= maxRetries || !retryOn.includes(e.code) || signal?.aborted) throw e;
      options.onRetry?.(e, n + 1);
      const ceiling = backoffMs * 2 ** n;
      await sleep(ceiling / 2 + (Math.random() * ceiling) / 2, signal);
    }
  }
}
