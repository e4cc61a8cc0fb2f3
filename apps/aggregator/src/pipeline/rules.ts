// Stage 3: the page rules. Render misses are dropped and the page is topped up from the next
// ranked entries (hydrating them), duplicates never make it twice onto a page. Written once
// over FeedItem<T>: no kind-specific branch.
import type { AnyFeedItem } from '@feedmesh/feed-core';
import type { Hydrate, Hydrated } from './hydration.js';
import type { SkeletonEntry } from './skeleton-entry.js';

export interface RulesInput {
  /** The skeleton's ranked entries, best first. */
  ranked: readonly SkeletonEntry[];
  pageSize: number;
  /** Hydration of `ranked.slice(0, pageSize)`. */
  firstWindow: Hydrated;
  /** Hydrates top-up entries; a failure ends the top-up and the page is served short. */
  hydrate: Hydrate;
  /** Extra render round trips allowed for top-ups. */
  maxTopUps: number;
}

export interface PageResult {
  /** The page, in ranked order, score and sources filled in. */
  items: AnyFeedItem[];
  /** Entries of `items`, as stored for replays. */
  entries: SkeletonEntry[];
  /** Ranked entries not looked at (nothing was decided about them). */
  remaining: number;
  /** Ids render could not serve, dropped from the page. */
  missing: string[];
  topUps: number;
  /** Set when a top-up hydration failed. */
  topUpError?: unknown;
}

export async function rules({ ranked, pageSize, firstWindow, hydrate, maxTopUps }: RulesInput): Promise<PageResult> {
  const items: AnyFeedItem[] = [];
  const entries: SkeletonEntry[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  let position = 0;
  let topUps = 0;
  let topUpError: unknown;

  const take = (window: readonly SkeletonEntry[], hydrated: Hydrated) => {
    for (const entry of window) {
      position++;
      if (seen.has(entry.id)) continue;
      seen.add(entry.id);
      const item = hydrated.items.get(entry.id);
      if (item === undefined) {
        missing.push(entry.id);
        continue;
      }
      items.push(withRanking(item, entry));
      entries.push(entry);
    }
  };

  take(ranked.slice(0, pageSize), firstWindow);
  while (items.length < pageSize && position < ranked.length && topUps < maxTopUps) {
    const window = ranked.slice(position, position + (pageSize - items.length));
    topUps++;
    let hydrated: Hydrated;
    try {
      hydrated = await hydrate(window);
    } catch (error) {
      topUpError = error;
      break;
    }
    take(window, hydrated);
  }
  return { items, entries, remaining: ranked.length - position, missing, topUps, ...(topUpError === undefined ? {} : { topUpError }) };
}

/** Render leaves score and sources unset; the skeleton knows them. */
function withRanking(item: AnyFeedItem, entry: SkeletonEntry): AnyFeedItem {
  return { ...item, score: entry.score, sources: [...entry.sources] };
}
