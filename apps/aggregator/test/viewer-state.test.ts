// Seen across sessions and per-viewer "show less", end to end: the four read-path apps and
// ingest spawned from dist, real Postgres (a database of this file's own) and Redis (db 13).
// Engagement goes in through ingest's RecordEngagement; feeds come out of GetFeed.
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { EngagementType, ShowLessScope, type GetFeedResponse } from '@feedmesh/contracts';
import { decodeTimelineMember, redisKeys } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestWorld, type TestWorld } from './test-world.js';

const pageSize = 20;
const timeoutMs = 5_000;

let world: TestWorld;
let feed: TestWorld['feed'];
let ingest: NonNullable<TestWorld['ingest']>;
let redis: TestWorld['redis'];
let pool: TestWorld['pool'];
/** Seeded users, longest home timeline first. */
let users: string[];

beforeAll(async () => {
  world = await startTestWorld({
    name: 'vs',
    redisDb: 13,
    seed: { users: 30, items: 1_500, seed: 23, days: 2, timelineLength: 400, nowMs: Date.now() - 60_000 },
    ingestEnv: { MIGRATE_ON_START: 'true', INGEST_RUN_WORKER: 'false' },
  });
  ({ feed, redis, pool, users } = world);
  ingest = world.ingest!;
});

afterAll(async () => {
  await world?.close();
});

/** A page of the for-you feed; no cursor: a new session. */
const getFeed = (userId: string, init: { cursor?: string; pageSize?: number; debug?: boolean } = {}) =>
  feed.getFeed({ userId, pageSize: init.pageSize ?? pageSize, cursor: init.cursor ?? '', debug: init.debug ?? true, feedId: '' }, { timeoutMs });
const ids = (r: GetFeedResponse) => r.items.map((i) => i.id);
const engagement = (userId: string, itemIds: readonly string[], type: EngagementType) =>
  ingest.recordEngagement({ events: itemIds.map((itemId) => ({ userId, itemId, type, occurredAt: timestampFromMs(Date.now() - 1_000), dwellMs: 0 })) });

describe('seen across sessions', () => {
  it('items a viewer saw (VIEW) are not on top in a new session: behind the unseen ones; the open session is unchanged', async () => {
    const viewer = users[0]!;
    const first = await getFeed(viewer);
    expect(first.items).toHaveLength(pageSize);
    expect(first.degraded, first.degradedReasons.join(', ')).toBe(false);
    // Without a seen set, a second session opens on the same top page (this is what changes).
    const again = await getFeed(viewer);
    expect(ids(again).slice(0, 5)).toEqual(ids(first).slice(0, 5));

    expect(await engagement(viewer, ids(first), EngagementType.VIEW)).toMatchObject({ accepted: pageSize });
    expect(await redis.zcard(redisKeys.viewerSeen(viewer))).toBe(pageSize);

    // The first session's next page comes from its stored window, as before.
    const firstNext = await getFeed(viewer, { cursor: first.nextCursor });
    expect(firstNext.items).toHaveLength(pageSize);

    const fresh = await getFeed(viewer);
    expect(fresh.items).toHaveLength(pageSize);
    expect(fresh.degraded, fresh.degradedReasons.join(', ')).toBe(false);
    const seen = new Set(ids(first));
    expect(ids(fresh).filter((id) => seen.has(id)), 'seen items on the new session\'s first page').toEqual([]);
    expect(fresh.debug!.stages.map((s) => s.stage)).toEqual(expect.arrayContaining(['viewer-preferences', 'shown-less-author', 'unseen-first']));
    // Its page 2 (from the window stored with the new session) keeps them behind too.
    const freshNext = await getFeed(viewer, { cursor: fresh.nextCursor });
    expect(ids(freshNext).filter((id) => seen.has(id))).toEqual([]);
    // Demoted, not dropped: a larger first page reaches them after every unseen entry.
    const big = await getFeed(viewer, { pageSize: 100 });
    const firstSeenAt = ids(big).findIndex((id) => seen.has(id));
    if (firstSeenAt >= 0) expect(ids(big).slice(firstSeenAt).every((id) => seen.has(id))).toBe(true);
  });
});

describe('show less, per viewer', () => {
  it("a HIDE lowers the item for the hiding viewer only: the hider's fresh first page lacks it, another viewer still gets it", async () => {
    const [hider, other] = [users[1]!, users[2]!];
    const hiderPage = await getFeed(hider, { pageSize: 50 });
    const otherPage = await getFeed(other, { pageSize: 50 });
    const otherTop = new Set(ids(otherPage).slice(0, 10));
    const target = ids(hiderPage).find((id) => otherTop.has(id));
    expect(target, "an item near the top of both viewers' feeds").toBeDefined();

    expect(await engagement(hider, [target!], EngagementType.HIDE)).toMatchObject({ accepted: 1 });

    const hiderFresh = await getFeed(hider, { pageSize: 50 });
    expect(hiderFresh.items).toHaveLength(50);
    expect(ids(hiderFresh), 'the hider still gets the item it hid').not.toContain(target);
    expect(await redis.hget(redisKeys.viewerPreferences(hider), `less-item:${target}`)).not.toBeNull();
    expect(hiderFresh.debug!.filters.find((f) => f.filter === 'shown-less')!.removed).toBeGreaterThanOrEqual(1);
    // The hider's open session drops it from its next page too.
    expect(ids(await getFeed(hider, { cursor: hiderPage.nextCursor }))).not.toContain(target);

    const otherFresh = await getFeed(other, { pageSize: 50 });
    expect(ids(otherFresh)).toContain(target);
    expect(await redis.hget(redisKeys.viewerPreferences(other), `less-item:${target}`)).toBeNull();
  });

  it("a ShowLess of a topic moves that topic's items down for that viewer only", async () => {
    const [viewer, other] = [users[3]!, users[4]!];
    const before = await getFeed(viewer, { pageSize: 50 });
    const target = before.items[0]!;
    const { rows } = await pool.query<{ topics: string[] }>('SELECT topics FROM items WHERE id = $1', [target.id]);
    const topic = rows[0]!.topics[0]!;
    expect(topic, 'the top item has a topic').toBeDefined();
    const inTopic = new Set((await redis.zrevrange(redisKeys.topicRecent(topic), 0, -1)).map((m) => decodeTimelineMember(m).id));
    expect(inTopic.has(target.id)).toBe(true);
    const otherBefore = ids(await getFeed(other, { pageSize: 50 }));

    await ingest.showLess({ userId: viewer, itemId: target.id, scope: ShowLessScope.TOPIC, topic, requestId: '' });

    const after = await getFeed(viewer, { pageSize: 50 });
    expect(after.degraded, after.degradedReasons.join(', ')).toBe(false);
    expect(after.debug!.stages.map((s) => s.stage)).toEqual(expect.arrayContaining(['viewer-topics', 'shown-less-topic']));
    expect(inTopic.has(after.items[0]!.id), 'a topic item still opens the page').toBe(false);
    // Each topic item of the old page that is still there sits further down (the others close up).
    const mean = (list: string[]) => {
      const at = list.flatMap((id, i) => (inTopic.has(id) ? [i] : []));
      return at.reduce((a, b) => a + b, 0) / Math.max(1, at.length);
    };
    expect(mean(ids(after))).toBeGreaterThan(mean(ids(before)));
    expect(ids(after).indexOf(target.id) === -1 || ids(after).indexOf(target.id) >= 10).toBe(true);
    // Another viewer's feed does not move.
    expect(ids(await getFeed(other, { pageSize: 50 })).slice(0, 10)).toEqual(otherBefore.slice(0, 10));
  });
});
