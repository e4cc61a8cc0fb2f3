import {
  candidateCreatedAtMs,
  candidateId,
  compareRecentFirst,
  type CandidateLike,
  type Selector,
} from '@feedmesh/feed-core';

/**
 * The degraded order when ranking is down or late: most recent first (ties by id), which is
 * what a follower expects from an unranked feed and is stable across pages of a session.
 */
export const recencyFallbackSelector: Selector<CandidateLike> = {
  name: 'recency-fallback',
  select(ranked, limit) {
    return [...ranked]
      .sort((a, b) => compareRecentFirst(candidateCreatedAtMs(a), candidateId(a), candidateCreatedAtMs(b), candidateId(b)))
      .slice(0, limit);
  },
};
