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

export interface HomeTimelineRead {
  entries: ZsetEntry[];
  /** False when the user has no home timeline (inactive: it expired; or never built). */
  exists: boolean;
}

/**
 * The newest `count` entries of the user's home timeline, renewing its inactivity TTL in the same
 * round trip: a timeline lives `ttlSeconds` past its user's last read, and the fan-out skips a
 * missing one. EXPIRE's reply says whether the key exists (an empty zset never does).
 */
export async function readHomeTimeline(redis: RedisClient, userId: string, count: number, ttlSeconds: number): Promise<HomeTimelineRead> {
  const key = redisKeys.homeTimeline(userId);
  const results = await redis.pipeline().zrevrange(key, 0, Math.max(0, count - 1), 'WITHSCORES').expire(key, ttlSeconds).exec();
  if (results === null) throw new Error('pipeline aborted');
  const [[readError, reply], [expireError, renewed]] = results as [[Error | null, string[]], [Error | null, number]];
  if (readError) throw readError;
  if (expireError) throw expireError;
  return { entries: count > 0 ? parseWithScores(reply) : [], exists: renewed === 1 };
}
