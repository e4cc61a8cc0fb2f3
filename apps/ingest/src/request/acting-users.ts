import type { IngestService } from '@feedmesh/contracts';
import type { ActingUserRules } from '@feedmesh/service-kit';

/**
 * Who acts in each IngestService request: the author who publishes or edits, the follower, the
 * user who engages, blocks, mutes or asks for less. An end user may only name itself; a service
 * with act_as_user may name anyone (the kit's auth step checks, before anything is written).
 */
export const ingestActingUsers: ActingUserRules<typeof IngestService> = {
  publish: (request) => [['author_id', request.authorId]],
  editItem: (request) => [['author_id', request.authorId]],
  deleteItem: (request) => [['author_id', request.authorId]],
  follow: (request) => [['follower_id', request.followerId]],
  unfollow: (request) => [['follower_id', request.followerId]],
  recordEngagement: (request) => request.events.map((event, i) => [`events[${i}].user_id`, event.userId] as const),
  block: (request) => [['user_id', request.userId]],
  unblock: (request) => [['user_id', request.userId]],
  mute: (request) => [['user_id', request.userId]],
  unmute: (request) => [['user_id', request.userId]],
  showLess: (request) => [['user_id', request.userId]],
};
