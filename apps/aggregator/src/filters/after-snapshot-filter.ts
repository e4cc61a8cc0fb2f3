import { candidateCreatedAtMs, type CandidateLike, type Filter } from '@feedmesh/feed-core';
import type { SessionFilterContext } from './filter-context.js';

/**
 * Drops items created after the session's snapshot, so a post published between two page
 * requests cannot push ranked items down into the next page (shift) or back onto it (duplicate).
 */
export const afterSnapshotFilter: Filter<SessionFilterContext, CandidateLike> = {
  name: 'after-snapshot',
  keep: (candidate, context) => candidateCreatedAtMs(candidate) <= context.snapshotMs,
};
