import { fromBinary } from '@bufbuild/protobuf';
import { CandidateBlockSchema } from '@feedmesh/contracts';
import { candidateColumns } from '@feedmesh/feed-core';
import type { SkeletonSource } from '../pipeline/components.js';
import { newestFirstSelector } from '../selectors/newest-first-selector.js';
import type { RecallSource } from './recall-source.js';

/**
 * The candidate pipeline of an unranked feed: recall (fail-open: home timeline), newest first.
 * Every page recalls again, past the session's served ids and before its snapshot, so pages
 * follow each other in time without a stored window and a page never repeats an item.
 */
export function createNewestFirstSource(recall: RecallSource): SkeletonSource {
  return {
    identifier: 'recall-newest-first',
    serves: (page) => page.session.action !== 'replay',
    async fetch(page) {
      const { run, session } = page;
      const exclude = session.action === 'replay' ? new Set<string>() : await session.served();
      const candidates = await recall.fetch(run, { userId: run.query.userId, snapshotMs: session.snapshotMs, exclude });
      if (candidates.degradedReason) run.degradedReasons.push(candidates.degradedReason);
      const entries =
        candidates.count === 0 ? [] : newestFirstSelector.select(candidateColumns(fromBinary(CandidateBlockSchema, candidates.block)), page.rankLimit);
      return {
        entries,
        window: { kind: 'none' },
        maxTopUps: 2,
        rankedBy: newestFirstSelector.identifier,
        candidateCount: candidates.count,
        sources: candidates.sources,
        recalled: candidates.block,
        breakdowns: [],
        modelVersion: '',
      };
    },
  };
}
