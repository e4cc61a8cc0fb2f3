// The timeline zsets in Redis (keys.ts): users' home timelines, authors' and topics' recent
// items, the trending zsets per kind and the fresh-items zset. Members are timeline members
// (timeline-member.ts); every zset is trimmed to its bound (feed-limits.ts) where it is written.
import { Cluster } from 'ioredis';
import type { EngagementCounts } from '../engagement-counts.js';
import { AUTHOR_RECENT_MAX, FRESH_ITEMS_MAX, TIMELINE_MAX_LENGTH, TOPIC_RECENT_MAX, TRENDING_MAX_LENGTH } from '../feed-limits.js';
import { KeyedPipeline } from '../keyed-pipeline.js';
import { redisKeys } from '../keys.js';
import type { RedisClient } from '../redis.js';
import { decodeTimelineMember, encodeTimelineMember } from '../timeline-member.js';
import { trendingScore, type TrendingCounts } from '../trending-score.js';

export interface TimelineEntry {
  member: string;
  score: number;
}

/** What the indexes need to know about an item. */
export interface IndexedItem {
  id: string;
  kind: number;
  authorId: string;
  createdAtMs: number;
  topics: string[];
  stats: TrendingCounts;
}

/** An item's new counters, to rescore it in its kind's trending zset. */
export interface TrendingUpdate extends EngagementCounts {
  itemId: string;
  kind: number;
  authorId: string;
  createdAtMs: number;
  clicks?: number;
}

export function memberOf(item: Pick<IndexedItem, 'id' | 'kind' | 'authorId'>): string {
  return encodeTimelineMember({ id: item.id, kind: item.kind, authorId: item.authorId });
}

/** ZREMRANGEBYRANK bounds that keep the `max` highest-scored entries (rank 0 is the lowest score). */
export function trimToLength(max: number): [number, number] {
  return [0, -(max + 1)];
}

// ZADD of the same score/member pairs into every key that exists, each zset then trimmed to the
// bound ARGV[1] (only when over it: ZCARD is O(1), a trim is not). A missing home timeline is an
// inactive user's (it expired) or one never built: it is skipped, and recall builds it from the
// user's follows when they read (rebuildHome). Pairs are unpacked 500 at a time: Lua's unpack has
// a stack limit. Returns how many timelines were written.
const ZADD_EXISTING = `
local keep = tonumber(ARGV[1])
local written = 0
for i = 1, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local a = 2
    while a <= #ARGV do
      local upto = math.min(a + 999, #ARGV)
      redis.call('ZADD', KEYS[i], unpack(ARGV, a, upto))
      a = upto + 1
    end
    if redis.call('ZCARD', KEYS[i]) > keep then redis.call('ZREMRANGEBYRANK', KEYS[i], 0, -(keep + 1)) end
    written = written + 1
  end
end
return written`;

/** Timelines per ZADD_EXISTING call: each call holds Redis for about a millisecond. */
const TIMELINES_PER_SCRIPT = 500;

/**
 * The member a rebuilt home timeline always holds, lowest-scored: the key then exists even for a
 * user who follows nobody, so their next read neither rebuilds again nor asks Postgres. It does
 * not decode as a timeline member, so every reader skips it; the trim drops it first.
 */
export const HOME_TIMELINE_PLACEHOLDER = '.';

export class TimelinesRepository {
  constructor(private readonly redis: RedisClient) {}

  /**
   * Adds entries to the home timelines of many users that have one (an inactive user's expired:
   * see rebuildHome), each timeline trimmed to TIMELINE_MAX_LENGTH; returns how many timelines
   * were written. A fan-out batch is a thousand timelines: as commands each, the client's
   * per-command work was most of a fan-out's cost, so a single Redis gets them as a few scripts
   * of TIMELINES_PER_SCRIPT timelines; on a Cluster every user's timeline is in its own slot, so
   * there the script runs per timeline, in per-slot pipelines (KeyedPipeline).
   */
  async pushToHomes(userIds: readonly string[], entries: readonly TimelineEntry[]): Promise<number> {
    if (userIds.length === 0 || entries.length === 0) return 0;
    const scoreMembers = entries.flatMap((e) => [e.score, e.member]);
    if (this.redis instanceof Cluster) {
      const batch = new KeyedPipeline(this.redis);
      for (const userId of userIds) {
        const key = redisKeys.homeTimeline(userId);
        batch.add(key, (p) => p.eval(ZADD_EXISTING, 1, key, TIMELINE_MAX_LENGTH, ...scoreMembers));
      }
      return sum(await batch.exec());
    }
    const calls: Array<Promise<unknown>> = [];
    for (let start = 0; start < userIds.length; start += TIMELINES_PER_SCRIPT) {
      const keys = userIds.slice(start, start + TIMELINES_PER_SCRIPT).map((userId) => redisKeys.homeTimeline(userId));
      calls.push(this.redis.eval(ZADD_EXISTING, keys.length, ...keys, TIMELINE_MAX_LENGTH, ...scoreMembers));
    }
    return sum(await Promise.all(calls));
  }

  /**
   * Writes a home timeline built from the user's follows (recall, when it found none): the
   * entries, the placeholder, the trim and the inactivity TTL, in one transaction. Entries a
   * fan-out wrote meanwhile are kept (ZADD merges).
   */
  async rebuildHome(userId: string, entries: readonly TimelineEntry[], ttlSeconds: number): Promise<void> {
    const key = redisKeys.homeTimeline(userId);
    const scoreMembers = entries.flatMap((e) => [e.score, e.member]);
    const results = await this.redis
      .multi()
      .zadd(key, 0, HOME_TIMELINE_PLACEHOLDER, ...scoreMembers)
      .zremrangebyrank(key, ...trimToLength(TIMELINE_MAX_LENGTH))
      .expire(key, ttlSeconds)
      .exec();
    if (!results) throw new Error('home timeline rebuild was discarded');
    for (const [error] of results) if (error) throw error;
  }

  async removeFromHomes(userIds: readonly string[], members: readonly string[]): Promise<void> {
    if (userIds.length === 0 || members.length === 0) return;
    const batch = new KeyedPipeline(this.redis);
    for (const userId of userIds) {
      const key = redisKeys.homeTimeline(userId);
      batch.add(key, (p) => p.zrem(key, ...members));
    }
    await batch.exec();
  }

  /** The members of `authorId`'s items in the user's home timeline (bounded, so one read is cheap). */
  async homeMembersOfAuthor(userId: string, authorId: string): Promise<string[]> {
    const members = await this.redis.zrange(redisKeys.homeTimeline(userId), '0', '-1');
    return members.filter((member) => {
      try {
        return decodeTimelineMember(member).authorId === authorId;
      } catch {
        return false;
      }
    });
  }

  /** The author's latest `limit` entries of their recent zset, newest first (empty when the zset is). */
  async authorRecent(authorId: string, limit: number): Promise<TimelineEntry[]> {
    const flat = await this.redis.zrange(redisKeys.authorRecent(authorId), '+inf', '-inf', 'BYSCORE', 'REV', 'LIMIT', '0', String(limit), 'WITHSCORES');
    const entries: TimelineEntry[] = [];
    for (let i = 0; i < flat.length; i += 2) entries.push({ member: flat[i]!, score: Number(flat[i + 1]) });
    return entries;
  }

  /**
   * Puts an item into every index each item belongs to whatever its author's size: the author's
   * recent zset (what recall pulls for big authors), its topics' zsets, its kind's trending zset
   * and the fresh-items zset (the newest items overall). Each zset is trimmed to its bound.
   * Idempotent: the same member and score again changes nothing.
   */
  async index(item: IndexedItem): Promise<void> {
    const member = memberOf(item);
    const batch = new KeyedPipeline(this.redis);
    const bounded = (key: string, score: number, max: number) => batch.add(key, (p) => p.zadd(key, score, member).zremrangebyrank(key, ...trimToLength(max)));
    bounded(redisKeys.authorRecent(item.authorId), item.createdAtMs, AUTHOR_RECENT_MAX);
    for (const topic of item.topics) bounded(redisKeys.topicRecent(topic), item.createdAtMs, TOPIC_RECENT_MAX);
    bounded(redisKeys.trending(item.kind), trendingScore(item.stats, item.createdAtMs), TRENDING_MAX_LENGTH);
    bounded(redisKeys.freshItems(), item.createdAtMs, FRESH_ITEMS_MAX);
    await batch.exec();
  }

  /** Takes an item out of its author, topic, trending and fresh zsets and drops its cached card. */
  async unindex(item: Omit<IndexedItem, 'stats' | 'createdAtMs'>): Promise<void> {
    const member = memberOf(item);
    const batch = new KeyedPipeline(this.redis);
    const zsets = [redisKeys.authorRecent(item.authorId), ...item.topics.map(redisKeys.topicRecent), redisKeys.trending(item.kind), redisKeys.freshItems()];
    for (const key of zsets) batch.add(key, (p) => p.zrem(key, member));
    const card = redisKeys.renderedCard(item.id);
    batch.add(card, (p) => p.del(card));
    await batch.exec();
  }

  /** Leaves topics an edit removed, drops the cached card so render builds it anew, and indexes the item again. */
  async reindexEdited(item: IndexedItem, previousTopics: readonly string[]): Promise<void> {
    const member = memberOf(item);
    const batch = new KeyedPipeline(this.redis);
    for (const topic of previousTopics) {
      const key = redisKeys.topicRecent(topic);
      if (!item.topics.includes(topic)) batch.add(key, (p) => p.zrem(key, member));
    }
    const card = redisKeys.renderedCard(item.id);
    batch.add(card, (p) => p.del(card));
    await batch.exec();
    await this.index(item);
  }

  /**
   * Re-scores items in their kind's trending zset. Best effort (false when Redis failed): one
   * multi-member ZADD per kind (a batch touches up to thousands of items): one command, one trace
   * span and one Redis round of work instead of one per item; each kind's zset is a single key,
   * so this holds on Redis Cluster too.
   */
  async bumpTrending(updates: readonly TrendingUpdate[]): Promise<boolean> {
    if (updates.length === 0) return true;
    const scoredMembersByKind = new Map<number, Array<number | string>>();
    for (const s of updates) {
      let scoredMembers = scoredMembersByKind.get(s.kind);
      if (scoredMembers === undefined) scoredMembersByKind.set(s.kind, (scoredMembers = []));
      scoredMembers.push(trendingScore(s, s.createdAtMs), encodeTimelineMember({ id: s.itemId, kind: s.kind, authorId: s.authorId }));
    }
    const pipeline = this.redis.pipeline();
    for (const [kind, scoredMembers] of scoredMembersByKind) {
      pipeline.zadd(redisKeys.trending(kind), ...scoredMembers);
      pipeline.zremrangebyrank(redisKeys.trending(kind), ...trimToLength(TRENDING_MAX_LENGTH));
    }
    try {
      const results = await pipeline.exec();
      return !!results && results.every(([error]) => !error);
    } catch {
      return false;
    }
  }
}

function sum(counts: readonly unknown[]): number {
  return counts.reduce<number>((total, n) => total + Number(n), 0);
}
