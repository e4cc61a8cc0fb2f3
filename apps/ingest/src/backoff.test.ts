import { describe, expect, it } from 'vitest';
import { backoffDelayMs, REPLAY_BACKOFF } from './backoff.js';

describe('replay backoff', () => {
  it('doubles the ceiling from 100 ms up to 10 s, with full jitter below it', () => {
    const top = { ...REPLAY_BACKOFF, random: () => 0.999999 };
    expect(Array.from({ length: 10 }, (_, attempt) => backoffDelayMs(attempt, top))).toEqual([99, 199, 399, 799, 1599, 3199, 6399, 9999, 9999, 9999]);
    expect(backoffDelayMs(3, { ...REPLAY_BACKOFF, random: () => 0 })).toBe(0);
    expect(backoffDelayMs(3, { ...REPLAY_BACKOFF, random: () => 0.5 })).toBe(400);
    expect(backoffDelayMs(10_000, top)).toBe(9999);
  });

  it('is spread over the whole range (uniform jitter)', () => {
    const delays = Array.from({ length: 2_000 }, () => backoffDelayMs(4));
    expect(Math.min(...delays)).toBeLessThan(200);
    expect(Math.max(...delays)).toBeGreaterThan(1_400);
    expect(Math.max(...delays)).toBeLessThan(1_600);
  });
});
