import { candidateId, type CandidateLike, type Filter } from '@feedmesh/feed-core';
import type { SessionFilterContext } from './filter-context.js';

/**
 * Drops items served on an earlier page of the session. Recall already excludes them
 * (`exclude_ids`); this guards the fallbacks and any source that ignores the exclusion.
 */
export const alreadyServedFilter: Filter<SessionFilterContext, CandidateLike> = {
  name: 'already-served',
  keep: (candidate, context) => !context.served.has(candidateId(candidate)),
};
