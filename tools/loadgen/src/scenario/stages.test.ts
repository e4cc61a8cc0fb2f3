import { describe, expect, it } from 'vitest';
import { ArrivalSchedule, parseStages, stageIndexAt, targetAt, totalDurationMs } from './stages.js';

const what = (index: number): string => `stages[${index}]`;

function arrivals(texts: string[]): number[] {
  const schedule = new ArrivalSchedule(parseStages(texts, what));
  const out: number[] = [];
  for (let at = schedule.next(); at !== undefined; at = schedule.next()) out.push(at);
  return out;
}

describe('parseStages', () => {
  it('reads rates, virtual users and a bare @0', () => {
    const plan = parseStages(['30s@100/s', '2m@500/s', '30s@0'], what);
    expect(plan.kind).toBe('rate');
    expect(plan.stages.map((s) => [s.durationMs, s.target])).toEqual([[30_000, 100], [120_000, 500], [30_000, 0]]);
    expect(totalDurationMs(plan)).toBe(180_000);
    expect(parseStages(['500ms@16vu', '1m@4vus'], what).kind).toBe('vus');
  });

  it('names the bad stage', () => {
    expect(() => parseStages(['30s@100/s', 'soon@5/s'], what)).toThrow(/^stages\[1\] must look like 30s@100\/s/);
    expect(() => parseStages(['30s@100/s', '30s@16vu'], what)).toThrow(/stages\[1\]: stages mix rates/);
    expect(() => parseStages(['30s@5'], what)).toThrow(/stages\[0\]: say \/s .* or vu/);
    expect(() => parseStages(['0s@5/s'], what)).toThrow(/stages\[0\]: the duration must be > 0/);
    expect(() => parseStages(['1s@1.5vu'], what)).toThrow(/whole number/);
  });
});

describe('the rate ramp', () => {
  it('interpolates linearly from the previous target (0 before the first)', () => {
    const plan = parseStages(['10s@100/s', '10s@100/s', '10s@0'], what);
    expect(targetAt(plan, 0)).toBe(0);
    expect(targetAt(plan, 5_000)).toBe(50);
    expect(targetAt(plan, 15_000)).toBe(100);
    expect(targetAt(plan, 25_000)).toBe(50);
    expect(targetAt(plan, 40_000)).toBe(0);
    expect([0, 9_999, 10_000, 29_999, 99_999].map((at) => stageIndexAt(plan, at))).toEqual([0, 0, 1, 2, 2]);
  });

  it('spaces arrivals 1/rate apart at a constant rate', () => {
    const times = arrivals(['1s@10/s']);
    // A first stage ramps up from 0: hold the rate with a second stage and look at that one.
    const held = arrivals(['1ms@10/s', '1s@10/s']).filter((at) => at > 1);
    expect(times.length).toBe(5); // 0 → 10/s over 1 s is 5 arrivals
    expect(held).toHaveLength(10);
    for (let k = 1; k < held.length; k++) expect(held[k] - held[k - 1]).toBeCloseTo(100, 6);
  });

  it('packs arrivals as the ramp says: the integral of the rate', () => {
    // 0 → 100/s over 2 s: 100 arrivals, a quarter of them in the first second.
    const up = arrivals(['2s@100/s']);
    expect(up).toHaveLength(100);
    expect(up.filter((at) => at < 1000)).toHaveLength(25);
    // Then a hold at 100/s for 1 s and a ramp down to 0 over 2 s: 100 + 100 more.
    const all = arrivals(['2s@100/s', '1s@100/s', '2s@0']);
    expect(all).toHaveLength(300);
    expect(all.filter((at) => at >= 2000 && at < 3000)).toHaveLength(100);
    expect(all.filter((at) => at >= 3000 && at < 4000)).toHaveLength(75);
    expect(all.filter((at) => at >= 4000)).toHaveLength(25);
    for (let k = 1; k < all.length; k++) expect(all[k]).toBeGreaterThan(all[k - 1]);
  });

  it('sends nothing in a stage at 0', () => {
    expect(arrivals(['1s@0', '1s@0'])).toEqual([]);
  });
});
