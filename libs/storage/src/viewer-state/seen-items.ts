// Items a viewer has seen (VIEW engagement = an impression), kept so that a NEW session ranks
// unseen items first (aggregator: selectors/unseen-first-selector.ts). One zset per viewer,
// `{u:<id>}:seen` (the preferences hash's slot, so both are read in one pipeline):
//   member = item id, score = the end of the mark in Unix ms (view time + SEEN_TTL_HOURS).
// Storing the END (not the view time) lets a reader drop expired entries with ZRANGEBYSCORE
// now..+inf without knowing the TTL setting. Each write keeps the newest `maxItems` marks
// (ZREMRANGEBYRANK: the lowest scores are the oldest views), drops ended ones and renews the
// key's TTL, so an idle viewer's set disappears by itself.
import type { ChainableCommander } from 'ioredis';
import { KeyedPipeline } from '../keyed-pipeline.js';
import { redisKeys } from '../keys.js';
import type { RedisClient } from '../redis.js';

export interface SeenItemsSettings {
  /** Marks kept per viewer (the newest). */
  maxItems: number;
  /** How long a view marks its item seen. */
  ttlMs: number;
}

export const SEEN_ITEMS_DEFAULTS: SeenItemsSettings = { maxItems: 500, ttlMs: 72 * 3_600_000 };

export interface SeenView {
  userId: string;
  itemId: string;
  occurredAtMs: number;
}

/** The empty seen set (nothing read, or nothing seen). */
export const NOTHING_SEEN: ReadonlySet<string> = Object.freeze(new Set<string>()) as ReadonlySet<string>;

/** Queues one viewer's marks: ZADD GT (a repeated or older view never shortens a mark), trims, renews the TTL. */
function queueSeen(p: ChainableCommander, key: string, marks: ReadonlyMap<string, number>, settings: SeenItemsSettings, nowMs: number): void {
  const args: Array<string | number> = [];
  for (const [itemId, untilMs] of marks) args.push(untilMs, itemId);
  p.zadd(key, 'GT', ...args);
  p.zremrangebyscore(key, '-inf', nowMs);
  p.zremrangebyrank(key, 0, -(settings.maxItems + 1));
  p.pexpire(key, settings.ttlMs);
}

/**
 * Marks the viewed items seen for their viewers: one pipeline for the whole batch (per slot on a
 * Cluster). Views whose mark already ended are skipped. Throws the first command error.
 */
export async function writeSeenItems(redis: RedisClient, views: readonly SeenView[], settings: SeenItemsSettings, nowMs: number): Promise<number> {
  const byUser = new Map<string, Map<string, number>>();
  for (const v of views) {
    const untilMs = Math.floor(v.occurredAtMs + settings.ttlMs);
    if (untilMs <= nowMs) continue;
    let marks = byUser.get(v.userId);
    if (!marks) byUser.set(v.userId, (marks = new Map()));
    if ((marks.get(v.itemId) ?? 0) < untilMs) marks.set(v.itemId, untilMs);
  }
  if (byUser.size === 0) return 0;
  const batch = new KeyedPipeline(redis);
  for (const [userId, marks] of byUser) {
    const key = redisKeys.viewerSeen(userId);
    batch.add(key, (p) => queueSeen(p, key, marks, settings, nowMs));
  }
  await batch.exec();
  return byUser.size;
}

/** Queues the read of a viewer's marks still in effect at `nowMs` (newest first, at most `limit`). */
export function queueReadSeen(p: ChainableCommander, userId: string, nowMs: number, limit: number): void {
  p.zrevrangebyscore(redisKeys.viewerSeen(userId), '+inf', `(${nowMs}`, 'LIMIT', 0, limit);
}

/** Parses a ZREVRANGEBYSCORE reply. */
export function parseSeen(reply: unknown): ReadonlySet<string> {
  return Array.isArray(reply) && reply.length > 0 ? new Set(reply as string[]) : NOTHING_SEEN;
}

/** The viewer's seen items at `nowMs` (one command; the aggregator reads it with the preferences, see viewer-state.ts). */
export async function readSeenItems(redis: RedisClient, userId: string, nowMs: number, limit = SEEN_READ_LIMIT): Promise<ReadonlySet<string>> {
  return parseSeen(await redis.zrevrangebyscore(redisKeys.viewerSeen(userId), '+inf', `(${nowMs}`, 'LIMIT', 0, limit));
}

/** At most this many marks are read per page (a set written with a larger SEEN_ITEMS_MAX is read in part: the newest). */
export const SEEN_READ_LIMIT = 2_000;
