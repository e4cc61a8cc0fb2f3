// Time sources are injected so schedulers can be tested with a manual clock.

/** Monotonic milliseconds. */
export interface Clock {
  now(): number;
}

export interface Timers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const monotonicClock: Clock = { now: () => performance.now() };

export const nodeTimers: Timers = {
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
