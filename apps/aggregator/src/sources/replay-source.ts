import type { PagingSession } from '../paging/paging-session.js';
import type { SkeletonSource } from '../pipeline/components.js';

/**
 * The cursor before the latest: its answer was lost, so the same page (stored by page number)
 * is served again — same entries, re-rendered, no top-ups — and the same next cursor returned.
 * Replay is a source of the pipeline, not a second pipeline.
 */
export function createReplaySource(paging: PagingSession): SkeletonSource {
  return {
    identifier: 'replay',
    serves: (page) => page.session.action === 'replay',
    async fetch(page) {
      const session = page.session;
      if (session.action !== 'replay') throw new Error('replay source on a page that is not a replay');
      const entries = await page.run.time('replay', 0, () => paging.replayEntries(session));
      return { entries, pageSize: entries.length, window: { kind: 'none' }, maxTopUps: 0, rankedBy: 'replay', candidateCount: entries.length, sources: [], breakdowns: [], modelVersion: '' };
    },
  };
}
