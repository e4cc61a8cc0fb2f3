import { create } from '@bufbuild/protobuf';
import { CandidateSchema, type Candidate } from '@feedmesh/contracts';
import type { CandidateSource } from '@feedmesh/feed-core';
import { decodeTimelineMember, redisKeys, type RedisClient } from '@feedmesh/storage';

export interface TimelineFallbackRequest {
  userId: string;
  /** Only items created at or before this instant (the session snapshot). */
  snapshotMs: number;
  limit: number;
}

export const timelineFallbackSourceName = 'home-timeline-fallback';

/**
 * Used only when recall is down: the user's pushed home timeline straight from Redis. It is
 * real (the same zset recall's "following" source reads), cheap (one ZRANGE) and carries
 * created_at as its score, so the snapshot rule still holds. Stats are unknown (zero).
 */
export function homeTimelineFallback(redis: RedisClient): CandidateSource<TimelineFallbackRequest, Candidate> {
  return {
    name: timelineFallbackSourceName,
    async fetch({ userId, snapshotMs, limit }) {
      const flat = await redis.zrange(redisKeys.homeTimeline(userId), snapshotMs, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, limit, 'WITHSCORES');
      const candidates: Candidate[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const member = decodeTimelineMember(flat[i]!);
        const createdAtMs = Number(flat[i + 1]);
        candidates.push(
          create(CandidateSchema, {
            item: { id: member.id, kind: member.kind, authorId: member.authorId, createdAtMs: BigInt(createdAtMs) },
            sources: [timelineFallbackSourceName],
            recallScore: createdAtMs,
          }),
        );
      }
      return candidates;
    },
  };
}
