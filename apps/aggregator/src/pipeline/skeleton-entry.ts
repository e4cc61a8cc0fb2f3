import type { CardKind } from '@feedmesh/feed-core';

/**
 * One ranked slot before hydration: what the skeleton stage hands on and what a paging session
 * stores per page (so a replayed page is the same page). Kind-agnostic, like FeedItem<T>.
 */
export interface SkeletonEntry {
  id: string;
  kind: CardKind;
  authorId: string;
  createdAtMs: number;
  score: number;
  sources: string[];
}
