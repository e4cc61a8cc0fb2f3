import type { FollowGraph } from './follow-graph.js';
import { ITEM_KIND, type ItemCatalog } from './item-catalog.js';
import type { Prng } from './prng.js';

/** Engagement counters per item (index-aligned with the catalog). */
export interface ItemStatsColumns {
  views: Float64Array;
  likes: Float64Array;
  shares: Float64Array;
  hides: Float64Array;
  clicks: Float64Array;
}

const HOUR_MS = 3_600_000;

/**
 * Heavy-tailed engagement: reach grows with the author's followers, views follow a Pareto tail
 * (most items get little, a few go viral), counts ramp up over an item's first day, and likes,
 * clicks, shares and hides are noisy fractions of views.
 */
export function generateItemStats(catalog: ItemCatalog, graph: FollowGraph, nowMs: number, prng: Prng): ItemStatsColumns {
  const n = catalog.count;
  const stats: ItemStatsColumns = {
    views: new Float64Array(n),
    likes: new Float64Array(n),
    shares: new Float64Array(n),
    hides: new Float64Array(n),
    clicks: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const reach = 10 + graph.followerCounts[catalog.authors[i]!]! * 0.2;
    const kind = catalog.kinds[i]!;
    const kindBoost = kind === ITEM_KIND.video ? 1.5 : kind === ITEM_KIND.live ? 2 : 1;
    const ageHours = (nowMs - catalog.createdAtMs[i]!) / HOUR_MS;
    const ramp = Math.min(1, (ageHours + 0.25) / 24) ** 0.7;
    const viral = Math.min(prng.pareto(1.4) - 0.9, 2_000);
    const views = Math.round(reach * kindBoost * ramp * viral);
    const likes = Math.round(views * (0.01 + 0.07 * prng.next()));
    stats.views[i] = views;
    stats.likes[i] = likes;
    stats.clicks[i] = Math.round(views * (0.05 + 0.25 * prng.next()));
    stats.shares[i] = Math.round(likes * 0.15 * prng.next());
    stats.hides[i] = Math.round(views * 0.004 * prng.next());
  }
  return stats;
}
