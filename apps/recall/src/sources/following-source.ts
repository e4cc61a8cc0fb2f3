import { redisKeys, type ZsetEntry } from '@feedmesh/storage';
import type { RecallCandidate, RecallSource } from '../recall-candidate.js';
import type { HomeTimeline } from './home-timeline.js';
import { recencyScore } from './recency-score.js';
import type { HydratedEntry, SharedZsets } from './shared-zsets.js';
import { topCandidates } from './top-candidates.js';

export interface FollowingSourceDeps {
  /** The user's pushed timeline (rebuilt from their follows when it expired). */
  homeTimeline: HomeTimeline;
  /** The pulled authors' recent zsets, shared by all their followers (depth: perAuthorLimit). */
  authorsRecent: SharedZsets;
  quota: number;
  /** Pull authors read per request, most followed first. */
  maxPulledAuthors: number;
  /** Entries read from each pulled author's recent zset. */
  perAuthorLimit: number;
}

/**
 * "following": the user's pushed home timeline (home-timeline.ts) merged with the recent items
 * of the followed authors above the fan-out threshold (pulled at read time; the list is in the
 * user's read model). The timeline is the user's own read; the pulled authors' zsets are the same for
 * every follower and come from the shared cache with their records. recallScore = recency.
 */
export function createFollowingSource(deps: FollowingSourceDeps): RecallSource {
  const { homeTimeline, authorsRecent, quota, maxPulledAuthors, perAuthorLimit } = deps;
  const perAuthor = Math.min(quota, perAuthorLimit);
  return {
    name: 'following',
    async fetch(query, signal) {
      const user = await query.user();
      signal.throwIfAborted();
      const authors = user?.pulledAuthors.slice(0, maxPulledAuthors) ?? [];
      const [timeline, pulled] = await Promise.all([
        homeTimeline.read(query.userId, quota, signal),
        authorsRecent.read(authors.map((a) => ({ key: redisKeys.authorRecent(a), count: perAuthor }))),
      ]);
      const nowMs = Date.now();
      const candidates = timeline.map((e) => byRecency(e, nowMs));
      for (const entries of pulled) for (const e of entries) candidates.push(byRecency(e, nowMs, e.record));
      return topCandidates(candidates, quota);
    },
  };
}

function byRecency({ member, score }: ZsetEntry, nowMs: number, stats?: HydratedEntry['record']): RecallCandidate {
  // Timeline and author zsets are scored by created_at ms.
  return {
    item: { id: member.id, kind: member.kind, authorId: member.authorId, createdAtMs: score },
    sources: [],
    recallScore: recencyScore(score, nowMs),
    ...(stats ? { stats } : {}),
  };
}
