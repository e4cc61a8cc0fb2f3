import { timestampDate, timestampFromMs } from '@bufbuild/protobuf/wkt';
import { Code } from '@connectrpc/connect';
import { ShowLessScope } from '@feedmesh/contracts';
import { redisKeys } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { articlePayload, codeOf, createTestStores, insertFollows, insertUsers, startIngest, type IngestClient, type StartedIngest, type TestStores } from './fixtures.js';

// Block, Unblock, Mute, Unmute and ShowLess through the network against the ingest process:
// the rows in Postgres and the fields of the viewers' preferences hashes in Redis.
let stores: TestStores;
let ingest: StartedIngest;
let client: IngestClient;
const PERIOD_HOURS = 2;
const PERIOD_MS = PERIOD_HOURS * 3_600_000;

beforeAll(async () => {
  stores = await createTestStores();
  await insertUsers(stores.pool, ['alice', 'bob', 'carol', 'dave', 'writer', 'viewer']);
  await insertFollows(stores.pool, 'bob', ['alice']);
  await insertFollows(stores.pool, 'alice', ['bob']);
  ingest = await startIngest(stores, { INGEST_WORKERS: '2', SHOW_LESS_PERIOD_HOURS: String(PERIOD_HOURS) });
  ({ client } = ingest);
});

afterAll(async () => {
  await ingest?.stop();
  await stores?.close();
});

const prefs = (userId: string) => stores.redis.hgetall(redisKeys.viewerPreferences(userId));

async function rowCount(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await stores.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params);
  return Number(rows[0]!.n);
}

describe('Block / Unblock', () => {
  it('writes both hashes and the row, removes follow edges both ways, and is idempotent', async () => {
    expect(await client.block({ userId: 'alice', targetUserId: 'bob' })).toMatchObject({ changed: true });
    expect(await prefs('alice')).toMatchObject({ 'blocks:bob': '0' });
    expect(await prefs('bob')).toMatchObject({ 'blocked-by:alice': '0' });
    expect(await rowCount('user_blocks WHERE user_id = $1 AND target_user_id = $2', ['alice', 'bob'])).toBe(1);
    expect(await rowCount('follows WHERE follower_id = ANY($1) AND followee_id = ANY($1)', [['alice', 'bob']])).toBe(0);
    const { rows } = await stores.pool.query<{ id: string; follower_count: number; following_count: number }>(
      "SELECT id, follower_count, following_count FROM users WHERE id IN ('alice', 'bob') ORDER BY id",
    );
    expect(rows).toEqual([
      { id: 'alice', follower_count: 0, following_count: 0 },
      { id: 'bob', follower_count: 0, following_count: 0 },
    ]);
    expect(await client.block({ userId: 'alice', targetUserId: 'bob' })).toMatchObject({ changed: false });
  });

  it('unblock lifts only that side', async () => {
    expect(await client.block({ userId: 'bob', targetUserId: 'alice' })).toMatchObject({ changed: true });
    expect(await client.unblock({ userId: 'alice', targetUserId: 'bob' })).toMatchObject({ changed: true });
    const alice = await prefs('alice');
    const bob = await prefs('bob');
    expect(alice['blocks:bob']).toBeUndefined();
    expect(bob['blocked-by:alice']).toBeUndefined();
    expect(bob).toMatchObject({ 'blocks:alice': '0' });
    expect(alice).toMatchObject({ 'blocked-by:bob': '0' });
    expect(await rowCount('user_blocks WHERE user_id = $1', ['alice'])).toBe(0);
    expect(await rowCount('user_blocks WHERE user_id = $1', ['bob'])).toBe(1);
    expect(await client.unblock({ userId: 'alice', targetUserId: 'bob' })).toMatchObject({ changed: false });
  });

  it('refuses a follow across a standing block, either way, as FailedPrecondition naming followee_id, and adds no edge', async () => {
    // bob still blocks alice (previous case).
    for (const [followerId, followeeId] of [['alice', 'bob'], ['bob', 'alice']] as const) {
      const failure = await codeOf(client.follow({ followerId, followeeId }));
      expect(failure.code).toBe(Code.FailedPrecondition);
      expect(failure.message).toContain('followee_id');
    }
    expect(await rowCount('follows WHERE follower_id = ANY($1) AND followee_id = ANY($1)', [['alice', 'bob']])).toBe(0);
    await client.unblock({ userId: 'bob', targetUserId: 'alice' });
    expect(await client.follow({ followerId: 'alice', followeeId: 'bob' })).toMatchObject({ changed: true });
    await client.unfollow({ followerId: 'alice', followeeId: 'bob' });
  });
});

describe('Mute / Unmute', () => {
  it('mutes with and without an end; a repeat replaces the end', async () => {
    const until = Date.now() + 3_600_000;
    expect(await client.mute({ userId: 'carol', authorId: 'dave', until: timestampFromMs(until) })).toMatchObject({ changed: true });
    expect(await prefs('carol')).toMatchObject({ 'mute:dave': String(until) });
    expect(await client.mute({ userId: 'carol', authorId: 'dave', until: timestampFromMs(until) })).toMatchObject({ changed: false });
    expect(await client.mute({ userId: 'carol', authorId: 'dave' })).toMatchObject({ changed: true });
    expect(await prefs('carol')).toMatchObject({ 'mute:dave': '0' });
    const { rows } = await stores.pool.query<{ until: Date | null }>('SELECT until FROM user_mutes WHERE user_id = $1 AND author_id = $2', ['carol', 'dave']);
    expect(rows).toEqual([{ until: null }]);
  });

  it('unmute removes the field and the row', async () => {
    expect(await client.unmute({ userId: 'carol', authorId: 'dave' })).toMatchObject({ changed: true });
    expect((await prefs('carol'))['mute:dave']).toBeUndefined();
    expect(await rowCount('user_mutes WHERE user_id = $1', ['carol'])).toBe(0);
    expect(await client.unmute({ userId: 'carol', authorId: 'dave' })).toMatchObject({ changed: false });
  });
});

describe('ShowLess', () => {
  let itemId: string;
  beforeAll(async () => {
    const published = await client.publish({ requestId: 'show-less-item', authorId: 'writer', payload: articlePayload('About #rust and #go') });
    itemId = published.itemId;
  });

  it.each([
    ['item', ShowLessScope.ITEM, '', () => `less-item:${itemId}`],
    ['item (unspecified scope)', ShowLessScope.UNSPECIFIED, '', () => `less-item:${itemId}`],
    ['author', ShowLessScope.AUTHOR, '', () => 'less-author:writer'],
    ['topic', ShowLessScope.TOPIC, 'go', () => 'less-topic:go'],
  ])('%s writes its field with the configured period', async (_name, scope, topic, field) => {
    const before = Date.now();
    const response = await client.showLess({ userId: 'viewer', itemId, scope, topic });
    const untilMs = timestampDate(response.until!).getTime();
    expect(untilMs).toBeGreaterThanOrEqual(before + PERIOD_MS - 1);
    expect(untilMs).toBeLessThanOrEqual(Date.now() + PERIOD_MS + 1);
    expect(Number((await prefs('viewer'))[field()])).toBe(untilMs);
  });

  it('a retry with the same request_id keeps the end; another call renews it', async () => {
    const first = await client.showLess({ userId: 'viewer', itemId, scope: ShowLessScope.AUTHOR, requestId: 'r1' });
    await new Promise((r) => setTimeout(r, 20));
    const retry = await client.showLess({ userId: 'viewer', itemId, scope: ShowLessScope.AUTHOR, requestId: 'r1' });
    expect(timestampDate(retry.until!).getTime()).toBe(timestampDate(first.until!).getTime());
    const renewed = await client.showLess({ userId: 'viewer', itemId, scope: ShowLessScope.AUTHOR, requestId: 'r2' });
    expect(timestampDate(renewed.until!).getTime()).toBeGreaterThan(timestampDate(first.until!).getTime());
  });
});

describe('Redis down after the Postgres commit', () => {
  it('answers Unavailable; the retry repairs the hash', async () => {
    await insertUsers(stores.pool, ['erin', 'frank']);
    const noRedis = await startIngest(
      stores,
      { REDIS_URL: 'redis://127.0.0.1:1/11', INGEST_RUN_WORKER: 'false', MIGRATE_ON_START: 'false', LOG_LEVEL: 'error' },
      { name: 'ingest-no-redis' },
    );
    const degraded = noRedis.client;
    try {
      expect((await codeOf(degraded.block({ userId: 'erin', targetUserId: 'frank' }))).code).toBe(Code.Unavailable);
      expect(await rowCount('user_blocks WHERE user_id = $1 AND target_user_id = $2', ['erin', 'frank'])).toBe(1);
      expect(await prefs('erin')).toEqual({});
    } finally {
      await noRedis.stop();
    }
    expect(await client.block({ userId: 'erin', targetUserId: 'frank' })).toMatchObject({ changed: false });
    expect(await prefs('erin')).toMatchObject({ 'blocks:frank': '0' });
    expect(await prefs('frank')).toMatchObject({ 'blocked-by:erin': '0' });
  });
});

describe('bad input names the field and writes nothing', () => {
  const missingItem = '00000000-0000-4000-8000-000000000000';
  const cases: Array<[string, () => Promise<unknown>, Code, string]> = [
    ['block without user_id', () => client.block({ userId: '', targetUserId: 'bob' }), Code.InvalidArgument, 'user_id'],
    ['block without target_user_id', () => client.block({ userId: 'dave', targetUserId: '' }), Code.InvalidArgument, 'target_user_id'],
    ['block of oneself', () => client.block({ userId: 'dave', targetUserId: 'dave' }), Code.InvalidArgument, 'target_user_id'],
    ['block of an unknown user', () => client.block({ userId: 'dave', targetUserId: 'nobody' }), Code.NotFound, 'target_user_id'],
    ['unblock by an unknown user', () => client.unblock({ userId: 'nobody', targetUserId: 'dave' }), Code.NotFound, 'user_id'],
    ['mute of oneself', () => client.mute({ userId: 'dave', authorId: 'dave' }), Code.InvalidArgument, 'author_id'],
    ['mute with a bad author_id', () => client.mute({ userId: 'dave', authorId: 'a b' }), Code.InvalidArgument, 'author_id'],
    ['mute of an unknown author', () => client.mute({ userId: 'dave', authorId: 'nobody' }), Code.NotFound, 'author_id'],
    ['mute until the past', () => client.mute({ userId: 'dave', authorId: 'carol', until: timestampFromMs(Date.now() - 1_000) }), Code.InvalidArgument, 'until'],
    ['unmute without author_id', () => client.unmute({ userId: 'dave', authorId: '' }), Code.InvalidArgument, 'author_id'],
    ['show-less without item_id', () => client.showLess({ userId: 'dave', itemId: '' }), Code.InvalidArgument, 'item_id'],
    ['show-less of a missing item', () => client.showLess({ userId: 'dave', itemId: missingItem }), Code.NotFound, 'item_id'],
    ['show-less without user_id', () => client.showLess({ userId: '', itemId: missingItem }), Code.InvalidArgument, 'user_id'],
  ];

  it.each(cases)('%s → %s naming the field', async (_name, call, code, field) => {
    const failure = await codeOf(call());
    expect(failure.code).toBe(code);
    expect(failure.message.startsWith(`${field}:`)).toBe(true);
    expect(await prefs('dave')).toEqual({});
    expect(await rowCount('user_blocks WHERE $1 IN (user_id, target_user_id)', ['dave'])).toBe(0);
    expect(await rowCount('user_mutes WHERE user_id = $1', ['dave'])).toBe(0);
    expect(await rowCount('user_show_less WHERE user_id = $1', ['dave'])).toBe(0);
  });

  it('show-less of a topic the item lacks → InvalidArgument naming topic', async () => {
    const { itemId } = await client.publish({ requestId: 'show-less-topic', authorId: 'writer', payload: articlePayload('Only #rust') });
    for (const topic of ['', 'java']) {
      const failure = await codeOf(client.showLess({ userId: 'dave', itemId, scope: ShowLessScope.TOPIC, topic }));
      expect(failure.code).toBe(Code.InvalidArgument);
      expect(failure.message.startsWith('topic:')).toBe(true);
    }
    expect(await prefs('dave')).toEqual({});
    expect(await rowCount('user_show_less WHERE user_id = $1', ['dave'])).toBe(0);
  });
});
