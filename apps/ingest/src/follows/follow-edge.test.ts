import { Code } from '@connectrpc/connect';
import type { FollowChange, FollowEdge, FollowJobs, FollowsRepository } from '@feedmesh/storage';
import { describe, expect, it } from 'vitest';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { changeFollow } from './follow-edge.js';

function fakeFollows(outcome: FollowChange = { outcome: 'done', changed: true, followerCount: 3 }) {
  const changes: Array<{ edge: FollowEdge; pullThreshold: number; jobs: FollowJobs }> = [];
  const follows = {
    change: async (edge: FollowEdge, pullThreshold: number, jobs: FollowJobs) => (changes.push({ edge, pullThreshold, jobs }), outcome),
  } as unknown as FollowsRepository;
  return { follows, changes };
}

describe('changeFollow', () => {
  it("writes the edge with its outbox events: the follower's queue, and the followee's pull plan under one key", async () => {
    const { follows, changes } = fakeFollows();
    expect(await changeFollow(follows, 'u1', 'star', true, 10_000)).toEqual({ changed: true, followerCount: 3 });
    expect(changes).toEqual([
      {
        edge: { followerId: 'u1', followeeId: 'star', following: true },
        pullThreshold: 10_000,
        jobs: {
          changed: { task: OUTBOX_TASKS.followChanged, payload: { followerId: 'u1', followeeId: 'star', following: true }, queue: 'follow:u1' },
          pullCrossed: { task: OUTBOX_TASKS.pullAuthorChanged, payload: { authorId: 'star' }, queue: 'pull:star', key: 'pull-plan:star' },
        },
      },
    ]);
  });

  it('reports an unchanged edge (idempotent unfollow)', async () => {
    const { follows, changes } = fakeFollows({ outcome: 'done', changed: false, followerCount: 0 });
    expect(await changeFollow(follows, 'u1', 'star', false, 5)).toEqual({ changed: false, followerCount: 0 });
    expect(changes[0]!.edge.following).toBe(false);
  });

  it('refuses bad ids and self-follows before writing', async () => {
    const { follows, changes } = fakeFollows();
    await expect(changeFollow(follows, '', 'star', true, 5)).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'follower_id: is required' });
    await expect(changeFollow(follows, 'u1', 'st{ar}', true, 5)).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'followee_id: must not contain braces, "|" or whitespace' });
    await expect(changeFollow(follows, 'u1', 'u1', true, 5)).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'followee_id: a user cannot follow themselves' });
    expect(changes).toEqual([]);
  });

  it('answers NotFound naming the field of a user that does not exist', async () => {
    const { follows } = fakeFollows({ outcome: 'unknown-user', field: 'followee_id', userId: 'ghost' });
    const refusal = await changeFollow(follows, 'u1', 'ghost', true, 5).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ code: Code.NotFound, rawMessage: 'followee_id: user "ghost" does not exist' });
    expect((refusal as { metadata: Headers }).metadata.get('x-field-violation')).toBe('followee_id');
  });
});
