import { cardKindFromItemKind, type CardKind, type RankedEntry } from '@feedmesh/feed-core';

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

/** Ranked entries as skeleton entries; an entry of a kind this build does not know is skipped. */
export function toSkeletonEntries(ranked: readonly RankedEntry[]): SkeletonEntry[] {
  const out: SkeletonEntry[] = [];
  for (const r of ranked) {
    const kind = cardKindFromItemKind(r.kind);
    if (kind !== undefined) out.push({ id: r.id, kind, authorId: r.authorId, createdAtMs: r.createdAtMs, score: r.score, sources: r.sources });
  }
  return out;
}
