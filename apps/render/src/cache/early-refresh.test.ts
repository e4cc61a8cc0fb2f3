import { describe, expect, it } from 'vitest';
import { shouldRefreshEarly } from './early-refresh.js';

describe('shouldRefreshEarly', () => {
  it('refreshes with probability exp(-remaining / window)', () => {
    // random() = 1 - exp(-1) gives -ln(1 - r) = 1: refresh exactly when remaining < window.
    const r = () => 1 - Math.exp(-1);
    expect(shouldRefreshEarly(9_999, 10_000, r)).toBe(true);
    expect(shouldRefreshEarly(10_001, 10_000, r)).toBe(false);
    expect(shouldRefreshEarly(60_000, 10_000, () => 0)).toBe(false);
  });

  it('always refreshes an expired entry and never when disabled', () => {
    expect(shouldRefreshEarly(0, 10_000, () => 0)).toBe(true);
    expect(shouldRefreshEarly(-5, 10_000, () => 0)).toBe(true);
    expect(shouldRefreshEarly(1, 0, () => 0.999)).toBe(false);
  });
});
