import { redisKeys, type RedisClient } from '@feedmesh/storage';
import type { RecallCandidate, RecallSource } from '../recall-candidate.js';
import { recencyScore } from './recency-score.js';
import { topCandidates } from './top-candidates.js';
import { readTopEntriesOfKeys, type ZsetEntry } from './zset-entries.js';

export interface FollowingSourceDeps {
  redis: RedisClient;
  quota: number;
  /** Pull authors read per request, most followed first. */
  maxPulledAuthors: number;
  /** Entries read from each pulled author's recent zset. */
  perAuthorLimit: number;
}

/**
 * "following": the user's pushed home timeline merged with the recent items of the followed
 * authors above the fan-out threshold (pulled at read time; the list is in the user's read
 * model). recallScore = recency.
 */
export function createFollowingSource(deps: FollowingSourceDeps): RecallSource {
  const { redis, quota, maxPulledAuthors, perAuthorLimit } = deps;
  const perAuthor = Math.min(quota, perAuthorLimit);
  return {
    name: 'following',
    async fetch(query, signal) {
      const user = await query.user();
      signal.throwIfAborted();
      const authors = user?.pulledAuthors.slice(0, maxPulledAuthors) ?? [];
      // One command per key (different hash tags cannot share a multi-key command on Cluster),
      // pipelined into one round trip.
      const [timeline, ...pulled] = await readTopEntriesOfKeys(redis, [
        { key: redisKeys.homeTimeline(query.userId), count: quota },
        ...authors.map((a) => ({ key: redisKeys.authorRecent(a), count: perAuthor })),
      ]);
      const nowMs = Date.now();
      const candidates = [timeline!, ...pulled].flatMap((entries) => entries.map((e) => byRecency(e, nowMs)));
      return topCandidates(candidates, quota);
    },
  };
}

function byRecency({ member, score }: ZsetEntry, nowMs: number): RecallCandidate {
  // Timeline and author zsets are scored by created_at ms.
  return {
    item: { id: member.id, kind: member.kind, authorId: member.authorId, createdAtMs: score },
    sources: [],
    recallScore: recencyScore(score, nowMs),
  };
}
