import type { EngagementCounts } from './engagement-counts.js';
import { TRENDING_HALF_LIFE_MS } from './feed-limits.js';

/** The counters the score weighs; clicks count where they are known (Postgres has them, the read model not). */
export type TrendingCounts = EngagementCounts & { clicks?: number };

/** How much each signal counts; hides count against an item. */
export const TRENDING_WEIGHTS = { views: 1, clicks: 2, likes: 5, shares: 10, hides: -20 } as const;

/** Weighted engagement, floored at 0. */
export function weightedEngagement(stats: TrendingCounts): number {
  const w = TRENDING_WEIGHTS;
  const sum =
    stats.views * w.views +
    (stats.clicks ?? 0) * w.clicks +
    stats.likes * w.likes +
    stats.shares * w.shares +
    stats.hides * w.hides;
  return Math.max(0, sum);
}

/**
 * Trending score with "log heat plus time" (the Reddit hot-ranking trick):
 *
 *   score = ln(1 + weightedEngagement) + createdAtMs * ln 2 / halfLifeMs
 *
 * Decaying every score by exp(-age / tau) each tick would need a global job rewriting the whole
 * zset. Taking the log instead turns that decay into a constant offset shared by all items at any
 * moment, so ordering is preserved and newer items simply start higher: an item published one
 * half-life later needs half the engagement to tie. Scores are written once per stats update and
 * never rescaled. (At createdAt ~1.7e12 ms and a 6 h half-life the time term is ~5e4, far inside
 * double precision.)
 */
export function trendingScore(
  stats: TrendingCounts,
  createdAtMs: number,
  halfLifeMs: number = TRENDING_HALF_LIFE_MS,
): number {
  return Math.log1p(weightedEngagement(stats)) + (createdAtMs * Math.LN2) / halfLifeMs;
}
