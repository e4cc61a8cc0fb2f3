import { AsyncLocalStorage } from 'node:async_hooks';
import type { Deadline } from './deadline.js';

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
 * A scope whose cancel hooks fire once, when `cancel()` is called, and the call's Deadline.
 * Subclasses that learn of a cancellation from an event (a grpc-js call, an AbortSignal)
 * subscribe in `watch()`, which runs only when the first hook is registered: a call with no
 * downstream calls never subscribes. They hand out the call's own signal; this one aborts on `cancel()`.
 */
export class CancellableScope implements CallScope, Deadline {
  private hooks: Set<() => void> | undefined;
  private cancelled = false;
  private controller: AbortController | undefined;

  constructor(
    /** When the call expires (epoch ms), the cap applied; Infinity for none. */
    readonly deadlineMs: number,
    readonly callerDeadline: number | undefined = Number.isFinite(deadlineMs) ? deadlineMs : undefined,
  ) {}

  get expiresAt(): number {
    return this.deadlineMs;
  }

  remaining(): number {
    return Math.max(0, this.deadlineMs - Date.now());
  }

  share(fraction: number, maxMs = Infinity): number {
    return Math.min(maxMs, this.remaining() * fraction);
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.cancelled) this.controller.abort();
    }
    return this.controller.signal;
  }

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
    this.controller?.abort();
    const hooks = this.hooks;
    this.hooks = undefined;
    hooks?.forEach((hook) => hook());
  }
}
