import type { CountNewItemsRequest, ExplainFeedItemRequest, GetFeedRequest } from '@feedmesh/contracts';
import { invalidArgument, quoted } from '@feedmesh/service-kit';

export const defaultPageSize = 20;
export const maxPageSize = 100;
/** The feed of an empty feed_id, and of cursors issued before feeds could be chosen. */
export const defaultFeedId = 'for-you';

export interface FeedQuery {
  userId: string;
  /** One of the declared feeds (feeds/feed-catalog.ts). */
  feedId: string;
  pageSize: number;
  /** Empty for the first page. */
  cursor: string;
  /** A cursor of the session whose newer items this page starts a new session with; empty otherwise. */
  newerThan: string;
  debug: boolean;
}

/** A CountNewItems request: the session a cursor names, of this user and feed. */
export interface CountQuery {
  userId: string;
  feedId: string;
  cursor: string;
}

/** Longest user id, in UTF-16 code units. */
export const maxUserIdLength = 128;

/**
 * What a user id may hold: printable characters only. No controls (U+0000 cannot even be stored
 * by Postgres), format characters, unpaired surrogates or unassigned code points (\p{C}); no
 * whitespace or separators (\p{Z}); no braces or "|" (they would change a Redis hash tag).
 */
const userIdCharacters = /^[^\p{C}\p{Z}{}|]+$/u;

/**
 * Field checks the kit cannot know: user_id present and well-formed, page_size within 1..100
 * with 0 meaning the default, feed_id one of `feedIds` (empty: the default). An id that fails
 * here is InvalidArgument before anything looks it up, so a lookup failure later is always the
 * store's, never the id's.
 */
export function validateRequest(req: Pick<GetFeedRequest, 'userId' | 'pageSize' | 'feedId' | 'cursor' | 'newerThan' | 'debug'>, feedIds: readonly string[]): FeedQuery {
  const userId = checkUserId(req.userId);
  if (req.pageSize > maxPageSize) {
    throw invalidArgument('page_size', `must be within 1..${maxPageSize} (0 means ${defaultPageSize})`);
  }
  const feedId = checkFeedId(req.feedId, feedIds);
  if (req.newerThan !== '' && req.cursor !== '') throw invalidArgument('newer_than', 'send either cursor (the next page) or newer_than (what is newer), not both');
  return {
    userId,
    feedId,
    pageSize: req.pageSize === 0 ? defaultPageSize : req.pageSize,
    cursor: req.cursor,
    newerThan: req.newerThan,
    debug: req.debug,
  };
}

/** An ExplainFeedItem request: one item, against a first page or the page after `cursor`. */
export interface ExplainQuery {
  userId: string;
  feedId: string;
  itemId: string;
  cursor: string;
  pageSize: number;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** ExplainFeedItem: user_id, feed_id, cursor and page_size as GetFeed's, item_id a lower-case UUID. */
export function validateExplainRequest(req: ExplainFeedItemRequest, feedIds: readonly string[]): ExplainQuery {
  const { userId, feedId, pageSize, cursor } = validateRequest({ ...req, newerThan: '', debug: true }, feedIds);
  if (req.itemId === '') throw invalidArgument('item_id', 'is required');
  if (!uuid.test(req.itemId)) throw invalidArgument('item_id', 'must be a lower-case UUID');
  return { userId, feedId, itemId: req.itemId, cursor, pageSize };
}

/** CountNewItems: user_id and feed_id as GetFeed's, cursor required. */
export function validateCountRequest(req: CountNewItemsRequest, feedIds: readonly string[]): CountQuery {
  const userId = checkUserId(req.userId);
  const feedId = checkFeedId(req.feedId, feedIds);
  if (req.cursor === '') throw invalidArgument('cursor', 'is required: a cursor of the session the user is looking at');
  return { userId, feedId, cursor: req.cursor };
}

function checkUserId(userId: string): string {
  if (userId.length === 0) throw invalidArgument('user_id', 'is required');
  if (userId.length > maxUserIdLength) throw invalidArgument('user_id', `must be at most ${maxUserIdLength} characters`);
  if (!userIdCharacters.test(userId)) {
    throw invalidArgument('user_id', 'must be printable characters without whitespace, braces or "|"');
  }
  return userId;
}

function checkFeedId(requested: string, feedIds: readonly string[]): string {
  const feedId = requested === '' ? defaultFeedId : requested;
  if (!feedIds.includes(feedId)) {
    throw invalidArgument('feed_id', `unknown feed ${quoted(feedId)} (known: ${feedIds.join(', ')})`);
  }
  return feedId;
}
