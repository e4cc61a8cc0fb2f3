import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * What a server call hands down to the client calls made while serving it: its absolute
 * deadline (so downstream calls never outlive it) and a way to cancel them when it is cancelled.
 */
export interface CallScope {
  /** Absolute deadline in epoch ms; Infinity when the caller set none. */
  readonly deadlineMs: number;
  /** Registers a cancel hook for a downstream call; returns the unregister function. */
  onCancel(hook: () => void): () => void;
}

const storage = new AsyncLocalStorage<CallScope>();

/** Runs `fn(...args)` with `scope` as the current call scope (extra arguments spare a closure). */
export function runInCallScope<A extends unknown[], T>(scope: CallScope, fn: (...args: A) => T, ...args: A): T {
  return storage.run(scope, fn, ...args);
}

export function currentCallScope(): CallScope | undefined {
  return storage.getStore();
}

const noop = () => {};

/**
 * A scope whose cancel hooks fire once, when `cancel()` is called. Subclasses that learn of a
 * cancellation from an event (a grpc-js call, an AbortSignal) subscribe in `watch()`, which runs
 * only when the first hook is registered: a call with no downstream calls never subscribes.
 */
export class CancellableScope implements CallScope {
  private hooks: Set<() => void> | undefined;
  private cancelled = false;

  constructor(readonly deadlineMs: number) {}

  /** Called before a hook is registered; may call `cancel()` at once if the call is already gone. */
  protected watch(): void {}

  onCancel(hook: () => void): () => void {
    if (!this.cancelled) this.watch();
    if (this.cancelled) {
      hook();
      return noop;
    }
    (this.hooks ??= new Set()).add(hook);
    return () => this.hooks?.delete(hook);
  }

  cancel(): void {
    if (this.cancelled) return;
    this.cancelled = true;
    const hooks = this.hooks;
    this.hooks = undefined;
    hooks?.forEach((hook) => hook());
  }
}
