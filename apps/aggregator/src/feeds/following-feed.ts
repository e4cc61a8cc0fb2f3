// The following feed, declared: the items of the people the viewer follows (recall's
// "following" source alone), newest first, unranked — what a user expects of a chronological
// tab. Same filters as for-you: a block or a mute holds in every feed.
import { afterSnapshotFilter } from '../filters/after-snapshot-filter.js';
import { alreadyServedFilter } from '../filters/already-served-filter.js';
import { blockedFilter } from '../filters/blocked-filter.js';
import { mutedFilter } from '../filters/muted-filter.js';
import { newerThanFilter } from '../filters/newer-than-filter.js';
import { shownLessFilter } from '../filters/shown-less-filter.js';
import type { FeedPipeline } from '../pipeline/components.js';
import { hydrator } from '../pipeline/hydration.js';
import { createHomeTimelineSource } from '../sources/home-timeline-source.js';
import { createNewestFirstSource } from '../sources/newest-first-source.js';
import { createRecallSource } from '../sources/recall-source.js';
import { createReplaySource } from '../sources/replay-source.js';
import { readViewerState } from '@feedmesh/storage';
import type { FeedDeps } from './feed-catalog.js';

export function followingFeed({ downstreams, redis, paging, recallLimit }: FeedDeps): FeedPipeline {
  const recall = createRecallSource({ downstreams, recallLimit, sources: ['following'], fallback: createHomeTimelineSource(redis) });
  return {
    identifier: 'following',
    recall,
    sources: [createReplaySource(paging), createNewestFirstSource(recall)],
    filters: [afterSnapshotFilter, newerThanFilter, blockedFilter, mutedFilter, shownLessFilter, alreadyServedFilter],
    viewerState: (userId, nowMs, wants) => readViewerState(redis, userId, nowMs, wants),
    hydrator: (run) => hydrator(downstreams, run.query.userId, run.budgets.renderMs),
  };
}
