/**
 * An item's engagement counters, the one shape every reader and writer of them uses (item_stats,
 * the read model's item records, the trending score, recall's candidates).
 */
export interface EngagementCounts {
  views: number;
  likes: number;
  shares: number;
  hides: number;
}

/** The counters Postgres keeps: the read model leaves clicks out, the trending score counts them. */
export interface StoredEngagementCounts extends EngagementCounts {
  clicks: number;
}
