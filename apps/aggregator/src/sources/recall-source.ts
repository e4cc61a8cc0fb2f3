import { create } from '@bufbuild/protobuf';
import { SourceStatus, SourceStatsSchema, type SourceStats } from '@feedmesh/contracts';
import { unavailable } from '@feedmesh/service-kit';
import { failureCode } from '../downstream/failure-code.js';
import type { FeedDownstreams } from '../downstream/feed-downstreams.js';
import type { FeedRun } from '../pipeline/components.js';
import type { createHomeTimelineSource } from './home-timeline-source.js';

export interface RecalledCandidates {
  /** An encoded CandidateBlock (passed on to ranking as is). */
  block: Uint8Array;
  count: number;
  sources: SourceStats[];
  /** Set when the candidates came from the fallback. */
  degradedReason?: string;
}

export interface RecallSourceDeps {
  downstreams: FeedDownstreams;
  /** Fail-open policy: where candidates come from when recall cannot answer. */
  fallback: ReturnType<typeof createHomeTimelineSource>;
  recallLimit: number;
  /** Recall's sources to run, by name; all of them when absent. */
  sources?: readonly string[];
}

/**
 * Candidates from the recall service (RecallBlock): its sources run there, fail-open one by one
 * and report per source (debug). Only a recall that fails as a whole falls back to the user's
 * home timeline; only when that is empty or fails too is the request Unavailable.
 */
export type RecallSource = ReturnType<typeof createRecallSource>;

export function createRecallSource(deps: RecallSourceDeps) {
  return {
    identifier: 'recall',
    async fetch(run: FeedRun, request: { userId: string; snapshotMs: number; exclude: ReadonlySet<string> }): Promise<RecalledCandidates> {
      let reason: string;
      try {
        const response = await run.time('recall', run.budgets.recallMs, () =>
          deps.downstreams.recallBlock(
            {
              userId: request.userId,
              limit: deps.recallLimit,
              excludeIds: [...request.exclude],
              createdBeforeMs: BigInt(request.snapshotMs),
              sources: deps.sources ? [...deps.sources] : [],
            },
            run.budgets.recallMs,
          ),
        );
        return { block: response.candidates, count: response.count, sources: response.sources };
      } catch (error) {
        reason = `recall: ${failureCode(error)}`;
      }
      const fallback = deps.fallback;
      const started = performance.now();
      let candidates;
      try {
        candidates = await run.time(fallback.identifier, 0, () => fallback.fetch({ ...request, limit: deps.recallLimit }));
      } catch (error) {
        throw unavailable(`${reason}, and the ${fallback.identifier} failed too: ${(error as Error).message}`, { component: 'recall', cause: error });
      }
      if (candidates.count === 0) throw unavailable(`${reason}, and the ${fallback.identifier} has no items for this user`, { component: 'recall' });
      const stats = create(SourceStatsSchema, {
        source: fallback.identifier,
        count: candidates.count,
        latencyMs: performance.now() - started,
        status: SourceStatus.OK,
      });
      return { ...candidates, sources: [stats], degradedReason: reason };
    },
  };
}
