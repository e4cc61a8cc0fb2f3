// The feeds a GetFeed request can choose by feed_id, each declared in its own file. To add one,
// declare it beside these and list it here; its id is then valid on the wire.
import type { FeedDownstreams } from '../downstream/feed-downstreams.js';
import type { PagingSession } from '../paging/paging-session.js';
import type { FeedPipeline } from '../pipeline/components.js';
import type { RedisClient } from '@feedmesh/storage';
import { followingFeed } from './following-feed.js';
import { forYouFeed } from './for-you-feed.js';

export interface FeedDeps {
  downstreams: FeedDownstreams;
  redis: RedisClient;
  paging: PagingSession;
  recallLimit: number;
}

/** Feed id → its declaration; the first is the default (an empty feed_id). */
export function feedCatalog(deps: FeedDeps): ReadonlyMap<string, FeedPipeline> {
  return new Map([forYouFeed(deps), followingFeed(deps)].map((feed) => [feed.identifier, feed]));
}
