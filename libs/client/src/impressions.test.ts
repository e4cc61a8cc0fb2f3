import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createImpressionTracker } from './impressions.js';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('impression tracker', () => {
  it('reports a VIEW once a card has been visible for 1000 ms, not before', () => {
    const seen: string[] = [];
    const tracker = createImpressionTracker({ onImpression: (id) => seen.push(id) });
    tracker.visible('a');
    vi.advanceTimersByTime(999);
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(seen).toEqual(['a']);
  });

  it('a card that leaves the screen earlier is not reported; its clock starts over when it comes back', () => {
    const seen: string[] = [];
    const tracker = createImpressionTracker({ onImpression: (id) => seen.push(id) });
    tracker.visible('a');
    vi.advanceTimersByTime(700);
    tracker.hidden('a');
    vi.advanceTimersByTime(5_000);
    expect(seen).toEqual([]);
    tracker.visible('a');
    vi.advanceTimersByTime(700);
    tracker.visible('a'); // a repeat while visible does not restart the clock
    vi.advanceTimersByTime(300);
    expect(seen).toEqual(['a']);
  });

  it('one VIEW per item until reset; hideAll stops every clock', () => {
    const onImpression = vi.fn();
    const tracker = createImpressionTracker({ onImpression, minVisibleMs: 500 });
    tracker.visible('a');
    tracker.visible('b');
    vi.advanceTimersByTime(500);
    tracker.hidden('a');
    tracker.visible('a');
    vi.advanceTimersByTime(500);
    expect(onImpression.mock.calls).toEqual([
      ['a', 500],
      ['b', 500],
    ]);
    tracker.visible('c');
    tracker.hideAll();
    vi.advanceTimersByTime(1_000);
    expect(tracker.reported).toBe(2);
    tracker.reset();
    tracker.visible('a');
    vi.advanceTimersByTime(500);
    expect(onImpression).toHaveBeenCalledTimes(3);
  });

  it('a throwing callback does not break tracking', () => {
    let n = 0;
    const tracker = createImpressionTracker({
      onImpression: () => {
        n++;
        throw new Error('app bug');
      },
    });
    tracker.visible('a');
    tracker.visible('b');
    expect(() => vi.advanceTimersByTime(1_000)).not.toThrow();
    expect(n).toBe(2);
  });
});
