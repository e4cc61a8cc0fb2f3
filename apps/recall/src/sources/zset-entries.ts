// Reading the timeline-style zsets (home, author, topic, trending): members pack
// `itemId|kind|authorId` (see @feedmesh/storage timeline-member).
import { decodeTimelineMember, type RedisClient, type TimelineMember } from '@feedmesh/storage';

export interface ZsetEntry {
  member: TimelineMember;
  score: number;
}

/** The `count` highest-scored entries of a zset (ZREVRANGE ... WITHSCORES). */
export async function readTopEntries(redis: RedisClient, key: string, count: number): Promise<ZsetEntry[]> {
  if (count <= 0) return [];
  const reply = await redis.zrevrange(key, 0, count - 1, 'WITHSCORES');
  return parseWithScores(reply);
}

/**
 * Parses a flat WITHSCORES reply. A member that does not decode (written by an older or buggy
 * writer) is skipped rather than failing the whole source.
 */
export function parseWithScores(reply: readonly string[]): ZsetEntry[] {
  const entries: ZsetEntry[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    let member: TimelineMember;
    try {
      member = decodeTimelineMember(reply[i]!);
    } catch {
      continue;
    }
    const score = Number(reply[i + 1]);
    if (Number.isFinite(score)) entries.push({ member, score });
  }
  return entries;
}
