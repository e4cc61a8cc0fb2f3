/** Why `withDeadline` gave up on work that outlived its time limit. */
export class DeadlineExceeded extends Error {
  override readonly name = 'DeadlineExceeded';

  constructor(
    /** What was waited for ("item record hydration"). */
    readonly what: string,
    /** The time limit it outlived. */
    readonly afterMs: number,
  ) {
    super(`${what} took longer than ${Math.round(afterMs)} ms`);
  }
}

/** A signal to give up on (a call's `ctx.signal`), a time limit, or both (whichever comes first). */
export type DeadlineLimit = AbortSignal | { timeoutMs: number; signal?: AbortSignal };

/**
 * The repo's one timeout race: settles as `work` does, unless the limit comes first. Then it
 * rejects with `DeadlineExceeded` (time limit) or with the signal's reason (signal aborted), and
 * the work is left to finish, its outcome dropped. Work given as a function gets a signal that
 * aborts with that same error, so it can stop early; it is not started once the limit has passed.
 */
export function withDeadline<T>(work: Promise<T> | ((signal: AbortSignal) => Promise<T>), limit: DeadlineLimit, what = 'the work'): Promise<T> {
  const { timeoutMs, signal: outer } = limit instanceof AbortSignal ? { timeoutMs: Infinity, signal: limit } : limit;
  const inner = typeof work === 'function' ? new AbortController() : undefined;
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const stop = (reason: unknown) => {
      finish();
      inner?.abort(reason);
      reject(reason);
    };
    const onAbort = () => stop(outer!.reason);
    const finish = () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    };
    if (outer?.aborted) return stop(outer.reason);
    outer?.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(timeoutMs)) timer = setTimeout(() => stop(new DeadlineExceeded(what, timeoutMs)), Math.max(0, timeoutMs));
    let running: Promise<T>;
    try {
      running = typeof work === 'function' ? work(inner!.signal) : work;
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}
