// What the read path knows about one viewer for a page: the preferences hash and, when the page
// ranks afresh, the seen set. Both keys carry the viewer's hash tag `{u:<id>}` (one slot), so
// they go as ONE pipeline: one round trip, the same as the preferences read alone.
import { redisKeys } from '../keys.js';
import type { RedisClient } from '../redis.js';
import { NOTHING_SEEN, parseSeen, queueReadSeen, SEEN_READ_LIMIT } from './seen-items.js';
import { parseViewerPreferences, type ViewerPreferences } from './viewer-preferences.js';

export interface ViewerState {
  preferences: ViewerPreferences;
  /** Items the viewer saw (VIEW) whose mark is still in effect; empty when not asked for. */
  seen: ReadonlySet<string>;
  /** Why the seen set could not be read (it is then empty: seen is an ordering hint, not a rule). */
  seenError?: unknown;
}

export interface ViewerStateWants {
  /** Read the seen set too (only a fresh ranking uses it). */
  seen: boolean;
}

/**
 * One pipeline: HGETALL `{u:<id>}:prefs` (+ ZREVRANGEBYSCORE `{u:<id>}:seen` now..+inf). A
 * failed preferences read throws (blocks must apply); a failed seen read is reported in
 * `seenError` and reads as nothing seen.
 */
export async function readViewerState(redis: RedisClient, userId: string, nowMs: number, wants: ViewerStateWants): Promise<ViewerState> {
  // The hash alone is one plain command (a pipeline of one costs the client more).
  if (!wants.seen) return { preferences: parseViewerPreferences(await redis.hgetall(redisKeys.viewerPreferences(userId)), nowMs), seen: NOTHING_SEEN };
  const p = redis.pipeline();
  p.hgetall(redisKeys.viewerPreferences(userId));
  queueReadSeen(p, userId, nowMs, SEEN_READ_LIMIT);
  const results = await p.exec();
  if (!results) throw new Error('Redis pipeline was discarded');
  const [prefsError, hash] = results[0]!;
  if (prefsError) throw prefsError;
  const preferences = parseViewerPreferences(hash as Record<string, string>, nowMs);
  const [seenError, seen] = results[1]!;
  return seenError ? { preferences, seen: NOTHING_SEEN, seenError } : { preferences, seen: parseSeen(seen) };
}
