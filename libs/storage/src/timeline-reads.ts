// Reading the timeline-style zsets (home, author, topic, trending) the timelines repository
// writes: members pack `itemId|kind|authorId` (timeline-member.ts).
import { decodeTimelineMember, type TimelineMember } from './timeline-member.js';
import type { RedisClient } from './redis.js';
import { redisKeys } from './keys.js';
import { Cluster } from 'ioredis';

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
 * readTopEntries of several zsets in one round trip: a pipeline is one socket write and one
 * read instead of one per key (a user follows ~10 pulled authors). On a Cluster the keys live
 * in different slots, so there it stays one command per key.
 */
export async function readTopEntriesOfKeys(redis: RedisClient, reads: ReadonlyArray<{ key: string; count: number }>): Promise<ZsetEntry[][]> {
  const wanted = reads.filter((r) => r.count > 0);
  if (redis instanceof Cluster || wanted.length <= 1) return Promise.all(reads.map((r) => readTopEntries(redis, r.key, r.count)));
  const pipeline = redis.pipeline();
  for (const { key, count } of wanted) pipeline.zrevrange(key, 0, count - 1, 'WITHSCORES');
  const results = await pipeline.exec();
  if (results === null) throw new Error('pipeline aborted');
  let next = 0;
  return reads.map(({ count }) => {
    if (count <= 0) return [];
    const [error, reply] = results[next++]!;
    if (error) throw error;
    return parseWithScores(reply as string[]);
  });
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

/**
 * The ids of the items in the topics' recent zsets (the newest `perTopic` of each): how a read
 * path that carries no topics tells which of its entries belong to a topic. One round trip.
 */
export async function readTopicItemIds(redis: RedisClient, topics: Iterable<string>, perTopic: number): Promise<Set<string>> {
  const lists = await readTopEntriesOfKeys(redis, [...topics].map((topic) => ({ key: redisKeys.topicRecent(topic), count: perTopic })));
  return new Set(lists.flatMap((entries) => entries.map((e) => e.member.id)));
}
