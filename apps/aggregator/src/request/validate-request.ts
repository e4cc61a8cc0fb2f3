import type { GetFeedRequest } from '@feedmesh/contracts';
import { invalidArgument } from '@feedmesh/service-kit';

export const defaultPageSize = 20;
export const maxPageSize = 100;

export interface FeedQuery {
  userId: string;
  pageSize: number;
  /** Empty for the first page. */
  cursor: string;
  debug: boolean;
}

/**
 * Field checks the kit cannot know: user_id present and usable as a key (Redis hash tags forbid
 * braces), page_size within 1..100 with 0 meaning the default.
 */
export function validateRequest(req: GetFeedRequest): FeedQuery {
  const userId = req.userId;
  if (userId.length === 0) throw invalidArgument('user_id', 'is required');
  if (userId.length > 128 || /[{}|\s]/.test(userId)) {
    throw invalidArgument('user_id', 'must be 1..128 characters without braces, "|" or whitespace');
  }
  if (req.pageSize > maxPageSize) {
    throw invalidArgument('page_size', `must be within 1..${maxPageSize} (0 means ${defaultPageSize})`);
  }
  return {
    userId,
    pageSize: req.pageSize === 0 ? defaultPageSize : req.pageSize,
    cursor: req.cursor,
    debug: req.debug,
  };
}
