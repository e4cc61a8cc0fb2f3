import { describe, expect, it } from 'vitest';
import { trendingScore, weightedEngagement } from './trending-score.js';

const HOUR = 3_600_000;
const halfLife = 6 * HOUR;
const t0 = Date.UTC(2025, 0, 1);
const none = { views: 0, likes: 0, shares: 0, hides: 0 };

describe('trendingScore', () => {
  it('grows with engagement at equal age', () => {
    const low = trendingScore({ ...none, views: 10 }, t0, halfLife);
    const high = trendingScore({ ...none, views: 10, likes: 5 }, t0, halfLife);
    expect(high).toBeGreaterThan(low);
  });

  it('ties when engagement doubles across one half-life', () => {
    // The heat term is ln(1 + w): 1 + w = 200 one half-life earlier ties with 1 + w = 100.
    const older = trendingScore({ ...none, views: 199 }, t0, halfLife);
    const newer = trendingScore({ ...none, views: 99 }, t0 + halfLife, halfLife);
    expect(older).toBeCloseTo(newer, 9);
  });

  it('lets a fresh item overtake an older one with the same engagement', () => {
    const stats = { ...none, views: 1_000, likes: 50 };
    expect(trendingScore(stats, t0 + HOUR, halfLife)).toBeGreaterThan(trendingScore(stats, t0, halfLife));
  });

  it('counts hides against an item and never goes below zero heat', () => {
    expect(weightedEngagement({ views: 100, likes: 0, shares: 0, hides: 2 })).toBe(60);
    expect(weightedEngagement({ views: 1, likes: 0, shares: 0, hides: 10 })).toBe(0);
    expect(trendingScore({ ...none, views: 1, hides: 10 }, t0, halfLife)).toBe(trendingScore(none, t0, halfLife));
  });

  it('keeps precision at real timestamps', () => {
    const a = trendingScore({ ...none, views: 1 }, t0, halfLife);
    const b = trendingScore({ ...none, views: 2 }, t0, halfLife);
    expect(b - a).toBeCloseTo(Math.log(3) - Math.log(2), 9);
  });
});
