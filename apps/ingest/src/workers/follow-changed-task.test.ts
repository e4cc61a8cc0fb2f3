import { deleteFeedmeshKeys, memberOf, userFields, userReadModelKey, waitForRedis, type TimelineEntry } from '@feedmesh/storage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobHelpers, recorder, taskContext, taskRedis as redis } from '../../test/task-context.js';
import { followChangedTask } from './follow-changed-task.js';

const pulledField = userFields.pulled('star');
const recentEntry: TimelineEntry = { member: memberOf({ id: 'i-recent', kind: 1, authorId: 'star' }), score: 2 };

/** The edge as the follows repository reports it now, the author's recent zset and items, and the calls made. */
function contextWith(state: { edge: boolean; followerCount: number | null }, recent: { zset?: TimelineEntry[]; rows?: Array<{ id: string; kind: number; createdAtMs: number }> } = {}) {
  const calls: unknown[][] = [];
  const record = recorder(calls);
  const context = taskContext({
    follows: { edgeState: async () => state },
    timelines: {
      authorRecent: record('authorRecent', recent.zset ?? []),
      pushToHomes: record('pushToHomes'),
      homeMembersOfAuthor: record('homeMembersOfAuthor', ['m1', 'm2']),
      removeFromHomes: record('removeFromHomes'),
    },
    items: { recentOfAuthor: record('recentOfAuthor', recent.rows ?? []) },
  });
  return { run: () => followChangedTask(context)({ followerId: 'u1', followeeId: 'star', following: state.edge }, jobHelpers), calls };
}
const pulledCount = () => redis.hget(userReadModelKey('u1'), pulledField);

beforeAll(() => waitForRedis(redis));
beforeEach(() => deleteFeedmeshKeys(redis));
afterAll(async () => {
  await deleteFeedmeshKeys(redis);
  redis.disconnect();
});

describe('followChangedTask', () => {
  it("backfills a pushed author's recent items into the new follower's timeline", async () => {
    const { run, calls } = contextWith({ edge: true, followerCount: 100 }, { zset: [recentEntry] });
    await run();
    expect(calls).toEqual([
      ['authorRecent', 'star', 20],
      ['pushToHomes', ['u1'], [recentEntry]],
    ]);
    expect(await pulledCount()).toBeNull();
  });

  it("reads the author's items from Postgres when their recent zset is empty", async () => {
    const { run, calls } = contextWith({ edge: true, followerCount: 3 }, { rows: [{ id: 'i-old', kind: 2, createdAtMs: 7 }] });
    await run();
    expect(calls.slice(1)).toEqual([
      ['recentOfAuthor', 'star', 20],
      ['pushToHomes', ['u1'], [{ member: memberOf({ id: 'i-old', kind: 2, authorId: 'star' }), score: 7 }]],
    ]);
  });

  it("marks a pull author in the follower's read model instead of copying items (recall pulls them)", async () => {
    const { run, calls } = contextWith({ edge: true, followerCount: 101 });
    await run();
    expect(calls).toEqual([]);
    expect(await pulledCount()).toBe('101');
  });

  it("on unfollow, removes the author's items from the timeline and the pull mark", async () => {
    await redis.hset(userReadModelKey('u1'), pulledField, '500');
    const { run, calls } = contextWith({ edge: false, followerCount: 500 });
    await run();
    expect(calls).toEqual([
      ['homeMembersOfAuthor', 'u1', 'star'],
      ['removeFromHomes', ['u1'], ['m1', 'm2']],
    ]);
    expect(await pulledCount()).toBeNull();
  });

  it('acts on the edge as it is when the job runs: a follow undone meanwhile leaves nothing', async () => {
    const { run, calls } = contextWith({ edge: false, followerCount: 101 });
    await run();
    expect(calls.map(([name]) => name)).toEqual(['homeMembersOfAuthor', 'removeFromHomes']);
    expect(await pulledCount()).toBeNull();
  });
});
