import { describe, expect, it } from 'vitest';
import { parseTraceparent, TraceparentSource, type TraceContext } from './traceparent.js';

const fresh = (): TraceContext => ({ traceId: '', traceparent: '', sampled: false });

describe('TraceparentSource', () => {
  it('produces valid, distinct W3C traceparents whose trace id matches', () => {
    const source = new TraceparentSource(0);
    const seen = new Set<string>();
    const context = fresh();
    for (let i = 0; i < 5000; i++) {
      source.next(context); // crosses several pool refills
      const parsed = parseTraceparent(context.traceparent);
      expect(parsed).toBeDefined();
      expect(parsed!.traceId).toBe(context.traceId);
      expect(parsed!.sampled).toBe(false);
      seen.add(context.traceId);
    }
    expect(seen.size).toBe(5000);
  });

  it('sets the sampled flag on exactly the configured fraction of a uniform sequence', () => {
    let i = 0;
    const source = new TraceparentSource(0.01, () => (i++ % 1000) / 1000);
    const context = fresh();
    let sampled = 0;
    for (let n = 0; n < 10_000; n++) {
      source.next(context);
      if (context.sampled) {
        sampled++;
        expect(context.traceparent.endsWith('-01')).toBe(true);
      } else {
        expect(context.traceparent.endsWith('-00')).toBe(true);
      }
    }
    expect(sampled).toBe(100);
  });

  it('samples about the fraction with Math.random, and all or nothing at the ends', () => {
    const context = fresh();
    const count = (rate: number, n: number): number => {
      const source = new TraceparentSource(rate);
      let sampled = 0;
      for (let i = 0; i < n; i++) {
        source.next(context);
        if (context.sampled) sampled++;
      }
      return sampled;
    };
    // 100k draws at p = 0.1: the standard deviation is ~95, so ±1000 cannot fail by chance.
    expect(Math.abs(count(0.1, 100_000) - 10_000)).toBeLessThan(1000);
    expect(count(0, 1000)).toBe(0);
    expect(count(1, 1000)).toBe(1000);
  });

  it('rejects rates outside [0, 1] and malformed headers', () => {
    expect(() => new TraceparentSource(1.5)).toThrow(RangeError);
    expect(parseTraceparent('00-' + '0'.repeat(32) + '-0123456789abcdef-01')).toBeUndefined();
    expect(parseTraceparent('00-abc-def-01')).toBeUndefined();
  });
});
