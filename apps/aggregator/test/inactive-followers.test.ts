// Fan-out skips inactive followers, and a returning one still gets a full first page (issue 14):
// ingest beside the read-path mesh, all spawned from dist, real Postgres and Redis (db 2).
//
// A home timeline lives RECALL_INACTIVE_AFTER_DAYS past its user's last read; the fan-out writes
// only into timelines that exist, so a user away that long costs a post nothing. Here "away" is
// the key gone, exactly what its expiry leaves. The `following` feed serves recall's following
// source alone (newest first, unranked), so what it shows comes from the home timeline and
// nothing else: an empty timeline would be an empty page.
import { randomBytes } from 'node:crypto';
import { decodeTimelineMember, HOME_TIMELINE_PLACEHOLDER, redisKeys } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from './test-world.js';

const timeoutMs = 5_000;
const pageSize = 20;
const author = 'idle-author';

let world: TestWorld;
let ingest: NonNullable<TestWorld['ingest']>;
/** Seeded users with long timelines: one reads on, the other has been away. */
let active: string;
let away: string;

beforeAll(async () => {
  world = await startTestWorld({
    name: 'inactive',
    redisDb: 2,
    seed: { users: 30, items: 2_000, seed: 14, days: 3, timelineLength: 200, nowMs: Date.now() - 60_000 },
    ingestEnv: {},
    prepare: async ({ pool }) => {
      await pool.query(`INSERT INTO users (id, handle, display_name) VALUES ($1, $1, $1)`, [author]);
    },
  });
  ingest = world.ingest!;
  [active, away] = world.users as [string, string];
  for (const follower of [active, away]) await ingest.follow({ followerId: follower, followeeId: author });
}, 120_000);

afterAll(async () => {
  await world?.close();
});

const followingPage = (userId: string) => world.feed.getFeed({ userId, pageSize, cursor: '', debug: false, feedId: 'following' }, { timeoutMs });
const holds = async (userId: string, member: string) => (await world.redis.zscore(redisKeys.homeTimeline(userId), member)) !== null;

describe('fan-out and inactive followers', () => {
  it('pushes a post to the active follower only, and serves the returning one a full first page with it on top', async () => {
    // The active user has read lately (the timeline is there, with its TTL renewed); the other
    // one's expired.
    expect((await followingPage(active)).items).toHaveLength(pageSize);
    expect(await world.redis.ttl(redisKeys.homeTimeline(active))).toBeGreaterThan(0);
    await world.redis.del(redisKeys.homeTimeline(away));

    const { itemId } = await ingest.publish({
      requestId: `idle-${randomBytes(4).toString('hex')}`,
      authorId: author,
      payload: { case: 'article', value: { title: 'While you were away', body: 'b', coverUrl: 'https://example.com/c.jpg' } },
    });
    const member = `${itemId}|1|${author}`;
    await expect.poll(() => holds(active, member), { timeout: 15_000, interval: 50 }).toBe(true);
    // One fan-out batch holds both followers: when the active one has the post, the batch ran.
    await expect.poll(async () => (await world.pool.query('SELECT 1 FROM graphile_worker._private_jobs')).rowCount, { timeout: 15_000 }).toBe(0);
    expect(await world.redis.exists(redisKeys.homeTimeline(away))).toBe(0);

    // The returning user's first page: full, newest first, the post they missed on top.
    const response = await followingPage(away);
    expect(response.degraded).toBe(false);
    const page = response.items;
    expect(page).toHaveLength(pageSize);
    expect(page[0]!.id).toBe(itemId);
    // Their timeline is back for the next read (and the next fan-out), matching the page.
    await expect.poll(() => world.redis.exists(redisKeys.homeTimeline(away)), { timeout: 5_000 }).toBe(1);
    const rebuilt = (await world.redis.zrevrange(redisKeys.homeTimeline(away), 0, pageSize - 1)).filter((m) => m !== HOME_TIMELINE_PLACEHOLDER);
    expect(rebuilt.map((m) => decodeTimelineMember(m).id)).toEqual(page.map((item) => item.id));
    expect(await world.redis.ttl(redisKeys.homeTimeline(away))).toBeGreaterThan(29 * 86_400);
  });
});
