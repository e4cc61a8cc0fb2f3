// Stage 4: the response — proto items (the generic FeedItem<T> mapped back to the oneof),
// the next cursor, the degraded flag and, on request, debug.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { GetFeedResponseSchema, ScoreBreakdown, SourceStats } from '@feedmesh/contracts';
import { toProtoFeedItem, type AnyFeedItem } from '@feedmesh/feed-core';
import type { StageTimingRecord } from './stage-timing.js';

export interface PresentationInput {
  items: readonly AnyFeedItem[];
  nextCursor: string;
  degradedReasons: readonly string[];
  /** Present when the request asked for debug. */
  debug?: {
    timings: readonly StageTimingRecord[];
    sources: readonly SourceStats[];
    breakdowns: readonly ScoreBreakdown[];
    modelVersion: string;
    sessionId: string;
    /** Per filter identifier, entries it removed from this page's skeleton. */
    filters: ReadonlyArray<{ filter: string; removed: number }>;
  };
}

export function presentation(input: PresentationInput): MessageInitShape<typeof GetFeedResponseSchema> {
  const { items, nextCursor, degradedReasons, debug } = input;
  const response: MessageInitShape<typeof GetFeedResponseSchema> = {
    items: items.map(toProtoFeedItem),
    nextCursor,
    degraded: degradedReasons.length > 0,
    degradedReasons: [...degradedReasons],
  };
  if (debug) {
    const onPage = new Set(items.map((i) => i.id));
    response.debug = {
      stages: debug.timings.map((t) => ({ stage: t.stage, durationMs: t.durationMs, budgetMs: t.budgetMs })),
      sources: [...debug.sources],
      scores: debug.breakdowns.filter((b) => onPage.has(b.itemId)),
      modelVersion: debug.modelVersion,
      sessionId: debug.sessionId,
      filters: debug.filters.map((f) => ({ ...f })),
    };
  }
  return response;
}
