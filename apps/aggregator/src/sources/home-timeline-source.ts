import { create, toBinary } from '@bufbuild/protobuf';
import { CandidateBlockSchema } from '@feedmesh/contracts';
import { CandidateBlockBuilder } from '@feedmesh/feed-core';
import { decodeTimelineMember, redisKeys, type RedisClient } from '@feedmesh/storage';

export interface TimelineCandidates {
  /** An encoded CandidateBlock, as recall's would be. */
  block: Uint8Array;
  count: number;
}

/**
 * The fallback candidate source when recall is down: the user's pushed home timeline straight
 * from Redis. It is real (the same zset recall's "following" source reads), cheap (one ZRANGE)
 * and carries created_at as its score, so the snapshot rule still holds. Counters are unknown
 * (zero): ranking scores these items on freshness, affinity and kind alone.
 */
export function createHomeTimelineSource(redis: RedisClient) {
  return {
    identifier: 'home-timeline-fallback',
    async fetch(request: { userId: string; snapshotMs: number; limit: number; exclude: ReadonlySet<string> }): Promise<TimelineCandidates> {
      const { userId, snapshotMs, limit, exclude } = request;
      const flat = await redis.zrange(redisKeys.homeTimeline(userId), snapshotMs, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, limit + exclude.size, 'WITHSCORES');
      const block = new CandidateBlockBuilder(Math.min(limit, flat.length / 2));
      for (let i = 0; i + 1 < flat.length && block.count < limit; i += 2) {
        let member;
        try {
          member = decodeTimelineMember(flat[i]!);
        } catch {
          continue;
        }
        if (exclude.has(member.id)) continue;
        const createdAtMs = Number(flat[i + 1]);
        block.add({ id: member.id, kind: member.kind, authorId: member.authorId, createdAtMs, sources: ['home-timeline-fallback'], recallScore: createdAtMs });
      }
      return { block: toBinary(CandidateBlockSchema, create(CandidateBlockSchema, block.build())), count: block.count };
    },
  };
}
