import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CancellableScope, currentCallScope, runInCallScope } from './call-scope.js';

describe('runInCallScope / currentCallScope', () => {
  it('is empty outside a call', () => {
    expect(currentCallScope()).toBeUndefined();
  });

  it('follows the call across awaits and timers, and the innermost scope wins', async () => {
    const outer = new CancellableScope(1_000);
    const inner = new CancellableScope(500);
    const seen = await runInCallScope(outer, async () => {
      await sleep(1);
      const before = currentCallScope();
      const nested = await runInCallScope(inner, async () => {
        await sleep(1);
        return currentCallScope();
      });
      return { before, nested, after: currentCallScope() };
    });
    expect(seen).toEqual({ before: outer, nested: inner, after: outer });
    expect(currentCallScope()).toBeUndefined();
  });

  it('keeps concurrent calls apart', async () => {
    const scopes = [new CancellableScope(1), new CancellableScope(2), new CancellableScope(3)];
    const seen = await Promise.all(
      scopes.map((scope, i) =>
        runInCallScope(scope, async () => {
          await sleep(3 - i);
          return currentCallScope()?.deadlineMs;
        }),
      ),
    );
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('CancellableScope', () => {
  it('runs every registered hook once, on the first cancel', () => {
    const scope = new CancellableScope(Infinity);
    const calls: string[] = [];
    scope.onCancel(() => calls.push('a'));
    scope.onCancel(() => calls.push('b'));
    scope.cancel();
    scope.cancel();
    expect(calls).toEqual(['a', 'b']);
  });

  it('does not run a hook that was unregistered', () => {
    const scope = new CancellableScope(Infinity);
    const calls: string[] = [];
    const unregister = scope.onCancel(() => calls.push('gone'));
    scope.onCancel(() => calls.push('kept'));
    unregister();
    scope.cancel();
    expect(calls).toEqual(['kept']);
  });

  it('runs a hook registered after the cancel at once', () => {
    const scope = new CancellableScope(Infinity);
    scope.cancel();
    let ran = 0;
    const unregister = scope.onCancel(() => ran++);
    expect(ran).toBe(1);
    unregister();
    scope.cancel();
    expect(ran).toBe(1);
  });
});

describe('CancellableScope.watch', () => {
  /** A scope that, like a served call, subscribes to its cancellation only when asked to. */
  class WatchedScope extends CancellableScope {
    watched = 0;
    constructor(private readonly alreadyGone = false) {
      super(Infinity);
    }
    protected override watch(): void {
      this.watched++;
      if (this.alreadyGone) this.cancel();
    }
  }

  it('is not called until a hook is registered', () => {
    const scope = new WatchedScope();
    expect(scope.watched).toBe(0);
    scope.onCancel(() => {});
    expect(scope.watched).toBe(1);
  });

  it('runs a hook at once when watching finds the call already cancelled', () => {
    const scope = new WatchedScope(true);
    let ran = 0;
    scope.onCancel(() => ran++);
    expect(ran).toBe(1);
    // Once cancelled there is nothing left to watch.
    scope.onCancel(() => ran++);
    expect([ran, scope.watched]).toEqual([2, 1]);
  });
});

describe('runInCallScope', () => {
  it('passes extra arguments on to fn', () => {
    const scope = new CancellableScope(7);
    expect(runInCallScope(scope, (a: number, b: string) => `${a}${b}${currentCallScope()?.deadlineMs}`, 1, 'x')).toBe('1x7');
  });
});
