// Stage 2: item ids → typed cards, through render. The proto oneof becomes the generic
// FeedItem<T> union here, once, for every kind.
import { fromProtoFeedItem, FeedItemMappingError, type AnyFeedItem } from '@feedmesh/feed-core';
import type { FeedDownstreams } from '../downstream/feed-downstreams.js';
import type { SkeletonEntry } from './skeleton-entry.js';

export interface Hydrated {
  /** Rendered items by id (score and sources still unset: render does not know them). */
  items: Map<string, AnyFeedItem>;
  /** Ids render could not serve (not found, deleted) or sent back malformed. */
  missing: string[];
}

export type Hydrate = (entries: readonly SkeletonEntry[]) => Promise<Hydrated>;

/** A Hydrate bound to one request's viewer and render budget. */
export function hydrator(downstreams: FeedDownstreams, userId: string, budgetMs: number): Hydrate {
  return async (entries) => {
    const ids = [...new Set(entries.map((e) => e.id))];
    if (ids.length === 0) return { items: new Map(), missing: [] };
    const response = await downstreams.render({ itemIds: ids, userId }, budgetMs);
    const items = new Map<string, AnyFeedItem>();
    const missing = response.missing.map((m) => m.itemId);
    for (const proto of response.items) {
      try {
        items.set(proto.id, fromProtoFeedItem(proto));
      } catch (error) {
        if (!(error instanceof FeedItemMappingError)) throw error;
        missing.push(proto.id);
      }
    }
    // An id render neither rendered nor reported is missing all the same.
    for (const id of ids) if (!items.has(id) && !missing.includes(id)) missing.push(id);
    return { items, missing };
  };
}
