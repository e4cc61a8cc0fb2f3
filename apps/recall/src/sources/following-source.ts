import { redisKeys, type RedisClient } from '@feedmesh/storage';
import type { RecallCandidate, RecallSource } from '../recall-candidate.js';
import type { PulledAuthors } from './pulled-authors.js';
import { recencyScore } from './recency-score.js';
import { topCandidates } from './top-candidates.js';
import { readTopEntries, readTopEntriesOfKeys, type ZsetEntry } from './zset-entries.js';

export interface FollowingSourceDeps {
  redis: RedisClient;
  pulledAuthors: PulledAuthors;
  quota: number;
  /** Entries read from each pulled author's recent zset. */
  perAuthorLimit: number;
}

/**
 * "following": the user's pushed home timeline merged with the recent items of the followed
 * authors above the fan-out threshold (pulled at read time). recallScore = recency.
 */
export function createFollowingSource(deps: FollowingSourceDeps): RecallSource {
  const { redis, pulledAuthors, quota, perAuthorLimit } = deps;
  return {
    name: 'following',
    async fetch(query, signal) {
      const [timeline, authors] = await Promise.all([
        readTopEntries(redis, redisKeys.homeTimeline(query.userId), quota),
        pulledAuthors.of(query.userId),
      ]);
      signal.throwIfAborted();
      // One command per author (different hash tags cannot share a multi-key command on
      // Cluster), pipelined into one round trip.
      const perAuthor = Math.min(quota, perAuthorLimit);
      const pulled = await readTopEntriesOfKeys(redis, authors.map((a) => ({ key: redisKeys.authorRecent(a), count: perAuthor })));
      const nowMs = Date.now();
      const candidates = [timeline, ...pulled].flatMap((entries) => entries.map((e) => byRecency(e, nowMs)));
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
