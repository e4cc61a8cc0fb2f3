import { createHash } from 'node:crypto';
import { decodeHlc, encodeHlc } from '@feedmesh/feed-core';
import { redisKeys, type RedisClient } from '@feedmesh/storage';
import type { SkeletonEntry } from '../pipeline/skeleton-entry.js';
import type { PageCommit, RankedWindow, SessionStore, StoredSession } from './session-store.js';

// Compare-and-set of a page: both keys share the session's hash tag, so the script is valid on
// a Redis Cluster too. Two requests racing with the same cursor both pass checkCursor; only the
// first commit wins, the second learns it was superseded.
// KEYS: state, served. ARGV: expected lastHlc ('' = must not exist), ttl seconds, number of
// fields to delete d, number of field/value pairs n, then d field names, 2n field/value
// strings, then served ids.
const commitScript = `
local current = redis.call('HGET', KEYS[1], 'lastHlc')
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
local d = tonumber(ARGV[3])
local n = tonumber(ARGV[4])
local at = 5
if d > 0 then
  local gone = {}
  for i = at, at + d - 1 do gone[#gone + 1] = ARGV[i] end
  redis.call('HDEL', KEYS[1], unpack(gone))
end
at = at + d
local fields = {}
for i = at, at + 2 * n - 1 do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
at = at + 2 * n
local ids = {}
for i = at, #ARGV do ids[#ids + 1] = ARGV[i] end
for i = 1, #ids, 1000 do
  redis.call('SADD', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return 1
`;

const commitScriptSha = createHash('sha1').update(commitScript).digest('hex');

const pageField = (page: number) => `page:${page}`;
const WINDOW_FIELDS = ['window', 'windowSize', 'windowPos', 'windowFinal', 'windowModel', 'windowDebug'] as const;

/**
 * Paging sessions in Redis: a state hash (cursor bookkeeping, the latest page's entries for
 * replays, the ranked window) and a served-id set per session, both with a TTL. A page costs
 * one HGETALL to resume and one script call to commit; the served set is read only when the
 * session ranks again (recall must exclude it).
 */
export class RedisSessionStore implements SessionStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {}

  async load(sessionId: string): Promise<StoredSession | undefined> {
    // Buffers, because the window is binary; the other fields are short text.
    const hash = await this.redis.hgetallBuffer(redisKeys.sessionState(sessionId));
    const text = (field: string) => hash[field]?.toString('utf8');
    const user = text('user');
    const lastHlc = text('lastHlc');
    if (!user || !lastHlc) return undefined;
    const previousHlc = text('previousHlc');
    const session: StoredSession = {
      sessionId,
      userId: user,
      lastHlc: decodeHlc(lastHlc),
      previousHlc: previousHlc ? decodeHlc(previousHlc) : undefined,
      page: Number(text('page')),
      snapshotMs: Number(text('snapshotMs')),
      servedCount: Number(text('servedCount')),
      nextCursor: text('nextCursor') ?? '',
    };
    const block = hash['window'];
    if (block !== undefined) {
      const window: RankedWindow = {
        block: new Uint8Array(block.buffer, block.byteOffset, block.byteLength),
        size: Number(text('windowSize') ?? 0),
        position: Number(text('windowPos') ?? 0),
        final: text('windowFinal') === '1',
        modelVersion: text('windowModel') ?? '',
      };
      const breakdownsJson = text('windowDebug');
      if (breakdownsJson) window.breakdownsJson = breakdownsJson;
      session.window = window;
    }
    return session;
  }

  served(sessionId: string): Promise<string[]> {
    return this.redis.smembers(redisKeys.sessionServed(sessionId));
  }

  async pageEntries(sessionId: string, page: number): Promise<SkeletonEntry[] | undefined> {
    const json = await this.redis.hget(redisKeys.sessionState(sessionId), pageField(page));
    return json === null ? undefined : (JSON.parse(json) as SkeletonEntry[]);
  }

  async commit({ session, expectedLastHlc, entries, window, alsoServed = [] }: PageCommit): Promise<boolean> {
    const fields: Array<string | Buffer> = [
      'user', session.userId,
      'lastHlc', encodeHlc(session.lastHlc),
      'previousHlc', session.previousHlc ? encodeHlc(session.previousHlc) : '',
      'page', String(session.page),
      'snapshotMs', String(session.snapshotMs),
      'servedCount', String(session.servedCount),
      'nextCursor', session.nextCursor,
      pageField(session.page), JSON.stringify(entries),
    ];
    const gone: string[] = session.page > 1 ? [pageField(session.page - 1)] : [];
    if (window.kind === 'advance') {
      fields.push('windowPos', String(window.position));
    } else if (window.kind === 'replace') {
      const w = window.window;
      fields.push('window', Buffer.from(w.block.buffer, w.block.byteOffset, w.block.byteLength), 'windowSize', String(w.size), 'windowPos', String(w.position));
      fields.push('windowFinal', w.final ? '1' : '0', 'windowModel', w.modelVersion);
      if (w.breakdownsJson !== undefined) fields.push('windowDebug', w.breakdownsJson);
      else gone.push('windowDebug');
    } else {
      gone.push(...WINDOW_FIELDS);
    }
    const args = [
      2,
      redisKeys.sessionState(session.sessionId),
      redisKeys.sessionServed(session.sessionId),
      expectedLastHlc ? encodeHlc(expectedLastHlc) : '',
      this.ttlSeconds,
      gone.length,
      fields.length / 2,
      ...gone,
      ...fields,
      ...entries.map((e) => e.id),
      ...alsoServed,
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
