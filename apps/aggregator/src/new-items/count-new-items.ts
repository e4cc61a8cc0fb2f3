// CountNewItems: how many items a newer page (GetFeed newer_than) would show now, for the "N new
// posts" pill. One recall of the feed's sources (past the session's served ids), the feed's own
// filters with the session's snapshot as the lower bound; no ranking, no render, nothing written.
import { fromBinary } from '@bufbuild/protobuf';
import { CandidateBlockSchema } from '@feedmesh/contracts';
import { candidateColumns, type StageBudgets } from '@feedmesh/feed-core';
import { unavailable } from '@feedmesh/service-kit';
import { applyFilters } from '../filters/apply-filters.js';
import type { PagingSession } from '../paging/paging-session.js';
import { newFeedRun, readViewer } from '../pipeline/build-skeleton.js';
import type { FeedPipeline } from '../pipeline/components.js';
import type { CountQuery } from '../request/validate-request.js';
import { newestFirstSelector } from '../selectors/newest-first-selector.js';

/** The largest count answered; beyond it the answer says `more`. */
export const maxNewItemsCount = 100;

export function createNewItemsCounter(pipeline: FeedPipeline, paging: PagingSession) {
  return async function countNewItems(query: CountQuery, budgets: StageBudgets): Promise<{ count: number; more: boolean }> {
    const session = await paging.peek(query, query.cursor, 'cursor');
    const run = newFeedRun({ userId: query.userId, feedId: query.feedId, pageSize: 0, cursor: query.cursor, newerThan: '', debug: false }, budgets);
    const nowMs = Date.now();
    const [served, viewer] = await Promise.all([paging.servedIds(session.sessionId), readViewer(pipeline, run, { seen: false })]);
    const candidates = await pipeline.recall.fetch(run, { userId: query.userId, snapshotMs: nowMs, exclude: served });
    // A count from the fallback (recall down) would only be a guess: say so rather than mislead.
    if (candidates.degradedReason !== undefined) throw unavailable(`${candidates.degradedReason}; new items cannot be counted`, { component: 'recall' });
    if (candidates.count === 0) return { count: 0, more: false };
    const entries = newestFirstSelector.select(candidateColumns(fromBinary(CandidateBlockSchema, candidates.block)), candidates.count);
    const { kept } = applyFilters(entries, pipeline.filters, { snapshotMs: nowMs, newerThanMs: session.snapshotMs, served, preferences: viewer.preferences });
    return { count: Math.min(kept.length, maxNewItemsCount), more: kept.length > maxNewItemsCount };
  };
}
