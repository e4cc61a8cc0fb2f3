import { deleteFeedmeshKeys, userFields, userReadModelKey, waitForRedis } from '@feedmesh/storage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jobHelpers, recorder, taskContext, taskRedis as redis } from '../../test/task-context.js';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { pullAuthorBatchTask, pullAuthorChangedTask } from './pull-author-tasks.js';

const field = userFields.pulled('star');
const marks = async (users: string[]) => Promise.all(users.map((u) => redis.hget(userReadModelKey(u), field)));

function contextWith(range: { followerCount: number | null; followerIds: string[] }) {
  const calls: unknown[][] = [];
  const record = recorder(calls);
  const context = taskContext({ follows: { planFollowerRanges: record('planFollowerRanges'), followerRange: record('followerRange', range) } }, { fanoutBatchSize: 2 });
  return { context, calls };
}

beforeAll(() => waitForRedis(redis));
beforeEach(() => deleteFeedmeshKeys(redis));
afterAll(async () => {
  await deleteFeedmeshKeys(redis);
  redis.disconnect();
});

describe('pullAuthorChangedTask', () => {
  it("plans ranges of the author's followers in the author's own queue", async () => {
    const { context, calls } = contextWith({ followerCount: 0, followerIds: [] });
    await pullAuthorChangedTask(context)({ authorId: 'star' }, jobHelpers);
    expect(calls).toEqual([['planFollowerRanges', 'star', 2, OUTBOX_TASKS.pullAuthorBatch, 'pull:star']]);
  });
});

describe('pullAuthorBatchTask', () => {
  const batch = { authorId: 'star', fromFollowerId: 'a', toFollowerId: 'm' };

  it("marks the range's followers with the count while the author is above the threshold", async () => {
    const { context, calls } = contextWith({ followerCount: 150, followerIds: ['f1', 'f2'] });
    await pullAuthorBatchTask(context)(batch, jobHelpers);
    expect(calls).toEqual([['followerRange', 'star', 'a', 'm']]);
    expect(await marks(['f1', 'f2'])).toEqual(['150', '150']);
  });

  it('removes the mark once the author is back at or below it, whatever crossing planned the batch', async () => {
    await redis.hset(userReadModelKey('f1'), field, '150');
    await pullAuthorBatchTask(contextWith({ followerCount: 100, followerIds: ['f1', 'f2'] }).context)(batch, jobHelpers);
    expect(await marks(['f1', 'f2'])).toEqual([null, null]);
  });

  it('does nothing when the author is gone', async () => {
    await redis.hset(userReadModelKey('f1'), field, '150');
    await pullAuthorBatchTask(contextWith({ followerCount: null, followerIds: ['f1'] }).context)(batch, jobHelpers);
    expect(await marks(['f1'])).toEqual(['150']);
  });
});
