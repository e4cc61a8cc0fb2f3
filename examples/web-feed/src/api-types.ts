// The JSON the BFF answers GET /api/feed with (shared by the server and the page; types only).
import type { Card } from '@feedmesh/client';

export interface FeedPageJson {
  /** The page's cards in display order (article, video, live). */
  cards: Card[];
  /** The next page's cursor; "" on the last page. */
  nextCursor: string;
  /** The mesh served this page through a fallback (e.g. ranking down): say so on screen. */
  degraded: boolean;
  degradedReasons: string[];
  /** Items of kinds this BFF cannot draw, left out. */
  skipped: number;
  /** The paging session had expired: this is a new first page, the list starts over. */
  restarted: boolean;
}
