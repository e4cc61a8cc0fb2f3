import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { CandidateBlockSchema, RankedBlockSchema, type ScoreBreakdown } from '@feedmesh/contracts';
import { candidateColumns, rankedEntries } from '@feedmesh/feed-core';
import { failureCode } from '../downstream/failure-code.js';
import type { FeedDownstreams } from '../downstream/feed-downstreams.js';
import type { FeedRun } from '../pipeline/components.js';
import { toSkeletonEntries, type SkeletonEntry } from '../pipeline/skeleton-entry.js';
import { newestFirstSelector } from '../selectors/newest-first-selector.js';

export interface Scored {
  entries: SkeletonEntry[];
  /** The ranked answer as stored for later pages; absent when the fallback ordered the page. */
  ranked?: { block: Uint8Array; final: boolean; modelVersion: string; breakdowns: ScoreBreakdown[] };
  rankedBy: string;
}

/**
 * Scores the candidate block with the ranking service (RankBlock: the bytes recall sent, never
 * decoded here). Fail-open policy: when ranking is down, late or its circuit open, the
 * newest-first selector orders the candidates and the page is degraded ("ranking: <code>").
 */
export function createRankingScorer(downstreams: FeedDownstreams) {
  return {
    identifier: 'ranking',
    async score(run: FeedRun, request: { userId: string; block: Uint8Array; snapshotMs: number; limit: number }): Promise<Scored> {
      try {
        const response = await run.time('ranking', run.budgets.rankingMs, () =>
          downstreams.rankBlock(
            { userId: request.userId, candidates: request.block, limit: request.limit, debug: run.query.debug, nowMs: BigInt(request.snapshotMs) },
            run.budgets.rankingMs,
          ),
        );
        const items = response.items;
        const entries = items ? toSkeletonEntries(rankedEntries(items)) : [];
        return {
          entries,
          rankedBy: 'ranking',
          ranked: {
            block: items ? toBinary(RankedBlockSchema, items) : new Uint8Array(),
            // Fewer than asked for: every candidate is in this answer, nothing lies beyond it.
            final: (items?.count ?? 0) < request.limit,
            modelVersion: response.modelVersion,
            breakdowns: response.breakdowns,
          },
        };
      } catch (error) {
        run.degradedReasons.push(`ranking: ${failureCode(error)}`);
        const columns = candidateColumns(fromBinary(CandidateBlockSchema, request.block));
        return { entries: newestFirstSelector.select(columns, request.limit), rankedBy: newestFirstSelector.identifier };
      }
    },
  };
}
