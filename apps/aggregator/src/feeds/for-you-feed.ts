// The for-you feed, declared: where a page's ranked entries come from (first source that serves
// the page), what may never be shown (filters, cheapest first), how ids become cards. Each
// component is one file; its identifier names it in spans, debug stages and degraded reasons.
// To add a component, write its file and list it here.
import { afterSnapshotFilter } from '../filters/after-snapshot-filter.js';
import { alreadyServedFilter } from '../filters/already-served-filter.js';
import { blockedFilter } from '../filters/blocked-filter.js';
import { mutedFilter } from '../filters/muted-filter.js';
import { newerThanFilter } from '../filters/newer-than-filter.js';
import { shownLessFilter } from '../filters/shown-less-filter.js';
import type { FeedPipeline } from '../pipeline/components.js';
import { hydrator } from '../pipeline/hydration.js';
import { createRankingScorer } from '../scorers/ranking-scorer.js';
import { createHomeTimelineSource } from '../sources/home-timeline-source.js';
import { createRecallAndRankSource } from '../sources/recall-and-rank-source.js';
import { createRecallSource } from '../sources/recall-source.js';
import { createReplaySource } from '../sources/replay-source.js';
import { sessionWindowSource } from '../sources/session-window-source.js';
import { shownLessAuthorSelector } from '../selectors/shown-less-author-selector.js';
import { shownLessTopicSelector } from '../selectors/shown-less-topic-selector.js';
import { unseenFirstSelector } from '../selectors/unseen-first-selector.js';
import { readTopicItemIds, readViewerState, TOPIC_RECENT_MAX } from '@feedmesh/storage';
import type { FeedDeps } from './feed-catalog.js';

/** Every recall source, ranked for the viewer; later pages from the ranking stored with the session. */
export function forYouFeed({ downstreams, redis, paging, recallLimit }: FeedDeps): FeedPipeline {
  const recall = createRecallSource({ downstreams, recallLimit, fallback: createHomeTimelineSource(redis) });
  return {
    identifier: 'for-you',
    recall,
    sources: [
      createReplaySource(paging),
      sessionWindowSource,
      createRecallAndRankSource({ recall, scorer: createRankingScorer(downstreams) }),
    ],
    filters: [afterSnapshotFilter, newerThanFilter, blockedFilter, mutedFilter, shownLessFilter, alreadyServedFilter],
    selectors: [shownLessAuthorSelector, shownLessTopicSelector, unseenFirstSelector],
    topicItems: (topics) => readTopicItemIds(redis, topics, TOPIC_RECENT_MAX),
    viewerState: (userId, nowMs, wants) => readViewerState(redis, userId, nowMs, wants),
    hydrator: (run) => hydrator(downstreams, run.query.userId, run.budgets.renderMs),
  };
}
