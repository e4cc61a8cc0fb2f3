import type { FeedService } from '@feedmesh/contracts';
import type { ActingUserRules } from '@feedmesh/service-kit';

/** Whose feed each FeedService request reads: the caller's own, unless a service acts for the user (the kit's auth step checks). */
export const feedActingUsers: ActingUserRules<typeof FeedService> = {
  getFeed: (request) => [['user_id', request.userId]],
  countNewItems: (request) => [['user_id', request.userId]],
  explainFeedItem: (request) => [['user_id', request.userId]],
};
