import { create, fromBinary } from '@bufbuild/protobuf';
import { RankedBlockSchema, ScoreBreakdownSchema } from '@feedmesh/contracts';
import { rankedEntries } from '@feedmesh/feed-core';
import type { PageRequest, SkeletonSource } from '../pipeline/components.js';
import { toSkeletonEntries } from '../pipeline/skeleton-entry.js';
import type { RankedWindow } from '../paging/session-store.js';

function windowOf(page: PageRequest): RankedWindow | undefined {
  return page.session.action === 'advance' ? page.session.previous?.window : undefined;
}

/**
 * Pages 2+ of a session: the next entries of the ranking stored with the session. No recall,
 * no ranking — a session read (done when the session resumed) plus render. It serves while the
 * window holds what a page needs (or all there is: a final window).
 */
export const sessionWindowSource: SkeletonSource = {
  identifier: 'session-window',
  serves(page) {
    const window = windowOf(page);
    return window !== undefined && (window.final || window.size - window.position >= page.pageNeed);
  },
  async fetch(page) {
    const window = windowOf(page)!;
    const { run } = page;
    return run.time('session-window', 0, async () => {
      const block = fromBinary(RankedBlockSchema, window.block);
      const entries = toSkeletonEntries(rankedEntries(block)).slice(window.position);
      const breakdowns =
        run.query.debug && window.breakdownsJson !== undefined
          ? (JSON.parse(window.breakdownsJson) as unknown[]).map((b) => create(ScoreBreakdownSchema, b as Parameters<typeof create<typeof ScoreBreakdownSchema>>[1]))
          : [];
      return {
        entries,
        window: { kind: 'from-window', base: window.position },
        maxTopUps: 2,
        rankedBy: 'session-window',
        candidateCount: entries.length,
        sources: [],
        breakdowns,
        modelVersion: window.modelVersion,
      };
    });
  },
};
