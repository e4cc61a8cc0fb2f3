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

export function runInCallScope<T>(scope: CallScope, fn: () => T): T {
  return storage.run(scope, fn);
}

export function currentCallScope(): CallScope | undefined {
  return storage.getStore();
}

/** A scope whose cancel hooks fire once, when `cancel()` is called. */
export class CancellableScope implements CallScope {
  private hooks: Set<() => void> | undefined;
  private cancelled = false;

  constructor(readonly deadlineMs: number) {}

  onCancel(hook: () => void): () => void {
    if (this.cancelled) {
      hook();
      return () => {};
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
