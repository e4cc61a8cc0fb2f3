import { createHash } from 'node:crypto';
import { decodeHlc, encodeHlc } from '@feedmesh/feed-core';
import { redisKeys, type RedisClient } from '@feedmesh/storage';
import type { SkeletonEntry } from '../pipeline/skeleton-entry.js';
import type { PageCommit, SessionStore, StoredSession } from './session-store.js';

// Compare-and-set of a page: both keys share the session's hash tag, so the script is valid on
// a Redis Cluster too. Two requests racing with the same cursor both pass checkCursor; only the
// first commit wins, the second learns it was superseded.
// KEYS: state, served. ARGV: expected lastHlc ('' = must not exist), ttl seconds, page field to
// drop ('' = none), number of field/value pairs n, then 2n field/value strings, then served ids.
const commitScript = `
local current = redis.call('HGET', KEYS[1], 'lastHlc')
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
local n = tonumber(ARGV[4])
local fields = {}
for i = 5, 4 + 2 * n do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
if ARGV[3] ~= '' then redis.call('HDEL', KEYS[1], ARGV[3]) end
local ids = {}
for i = 5 + 2 * n, #ARGV do ids[#ids + 1] = ARGV[i] end
for i = 1, #ids, 1000 do
  redis.call('SADD', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`;

const commitScriptSha = createHash('sha1').update(commitScript).digest('hex');

const pageField = (page: number) => `page:${page}`;

/** Paging sessions in Redis: a state hash and a served-id set per session, both with a TTL. */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {}

  async load(sessionId: string): Promise<StoredSession | undefined> {
    const hash = await this.redis.hgetall(redisKeys.sessionState(sessionId));
    if (!hash.user || !hash.lastHlc) return undefined;
    return {
      sessionId,
      userId: hash.user,
      lastHlc: decodeHlc(hash.lastHlc),
      previousHlc: hash.previousHlc ? decodeHlc(hash.previousHlc) : undefined,
      page: Number(hash.page),
      snapshotMs: Number(hash.snapshotMs),
      servedCount: Number(hash.servedCount),
      nextCursor: hash.nextCursor ?? '',
    };
  }

  served(sessionId: string): Promise<string[]> {
    return this.redis.smembers(redisKeys.sessionServed(sessionId));
  }

  async pageEntries(sessionId: string, page: number): Promise<SkeletonEntry[] | undefined> {
    const json = await this.redis.hget(redisKeys.sessionState(sessionId), pageField(page));
    return json === null ? undefined : (JSON.parse(json) as SkeletonEntry[]);
  }

  async commit({ session, expectedLastHlc, entries }: PageCommit): Promise<boolean> {
    const fields: Record<string, string> = {
      user: session.userId,
      lastHlc: encodeHlc(session.lastHlc),
      previousHlc: session.previousHlc ? encodeHlc(session.previousHlc) : '',
      page: String(session.page),
      snapshotMs: String(session.snapshotMs),
      servedCount: String(session.servedCount),
      nextCursor: session.nextCursor,
      [pageField(session.page)]: JSON.stringify(entries),
    };
    const pairs = Object.entries(fields).flat();
    const args = [
      2,
      redisKeys.sessionState(session.sessionId),
      redisKeys.sessionServed(session.sessionId),
      expectedLastHlc ? encodeHlc(expectedLastHlc) : '',
      this.ttlSeconds,
      session.page > 1 ? pageField(session.page - 1) : '',
      pairs.length / 2,
      ...pairs,
      ...entries.map((e) => e.id),
    ] as const;
    // EVALSHA sends 40 bytes instead of the script on every page; EVAL loads it on a NOSCRIPT
    // (first use, or after a Redis restart or SCRIPT FLUSH).
    const result = await this.redis.evalsha(commitScriptSha, ...args).catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return this.redis.eval(commitScript, ...args);
      throw error;
    });
    return result === 1;
  }

  async touch(sessionId: string): Promise<void> {
    await Promise.all([
      this.redis.expire(redisKeys.sessionState(sessionId), this.ttlSeconds),
      this.redis.expire(redisKeys.sessionServed(sessionId), this.ttlSeconds),
    ]);
  }
}
