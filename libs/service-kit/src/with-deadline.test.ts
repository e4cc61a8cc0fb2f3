import { describe, expect, it } from 'vitest';
import { DeadlineExceeded, withDeadline } from './with-deadline.js';

const never = new Promise<never>(() => {});
const later = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(resolve, ms, value));

describe('withDeadline', () => {
  it('settles as the work does within the limit', async () => {
    await expect(withDeadline(later(1, 'done'), { timeoutMs: 1_000 })).resolves.toBe('done');
    await expect(withDeadline(Promise.reject(new Error('broken')), { timeoutMs: 1_000 })).rejects.toThrow('broken');
    await expect(withDeadline(Promise.resolve(7), new AbortController().signal)).resolves.toBe(7);
  });

  it('rejects with DeadlineExceeded naming the work and the limit when time runs out', async () => {
    const error = await withDeadline(never, { timeoutMs: 10 }, 'item record hydration').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceeded);
    expect(error).toMatchObject({ what: 'item record hydration', afterMs: 10, message: 'item record hydration took longer than 10 ms' });
  });

  it("rejects with the signal's reason when it aborts first, and at once when it already has", async () => {
    const call = new AbortController();
    const pending = withDeadline(never, { timeoutMs: 1_000, signal: call.signal });
    call.abort(new Error('client went away'));
    await expect(pending).rejects.toThrow('client went away');
    await expect(withDeadline(never, call.signal)).rejects.toThrow('client went away');
  });

  it('hands work given as a function a signal that aborts with the same error, and does not start it past the limit', async () => {
    let seen: unknown;
    const run = withDeadline((signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject((seen = signal.reason)))), { timeoutMs: 5 }, 'source');
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeadlineExceeded);
    expect(seen).toBe(error);

    const gone = AbortSignal.abort(new Error('cancelled'));
    let started = false;
    await expect(withDeadline(async () => (started = true), { timeoutMs: 1_000, signal: gone })).rejects.toThrow('cancelled');
    expect(started).toBe(false);
  });

  it('leaves no unhandled rejection when the work fails after the limit', async () => {
    const failsLate = new Promise((_, reject) => setTimeout(reject, 10, new Error('late')));
    await expect(withDeadline(failsLate, { timeoutMs: 1 })).rejects.toBeInstanceOf(DeadlineExceeded);
    await later(20, undefined);
  });

  it('turns a synchronous throw of the work function into a rejection', async () => {
    await expect(
      withDeadline(() => {
        throw new Error('sync');
      }, { timeoutMs: 100 }),
    ).rejects.toThrow('sync');
  });
});
