import { Code } from '@connectrpc/connect';
import { fieldError, invalidArgument } from '@feedmesh/service-kit';
import type { FollowsRepository } from '@feedmesh/storage';
import { followQueueName, OUTBOX_TASKS, pullAuthorQueueName } from '../outbox/outbox-tasks.js';
import { checkUserId, unknownUser } from '../request/field-checks.js';

export interface FollowChange {
  changed: boolean;
  followerCount: number;
}

function validateEdge(followerId: string, followeeId: string): void {
  const followerProblem = checkUserId(followerId);
  if (followerProblem) throw invalidArgument('follower_id', followerProblem);
  const followeeProblem = checkUserId(followeeId);
  if (followeeProblem) throw invalidArgument('followee_id', followeeProblem);
  if (followerId === followeeId) throw invalidArgument('followee_id', 'a user cannot follow themselves');
}

/**
 * Adds (`following` true) or removes a follow edge, idempotently, with both users' counters and
 * the outbox events in one transaction (FollowsRepository.change).
 *
 * When the change moves the followee's follower count across `pullThreshold` (above it: a pull
 * author; back to it: pushed again), a pull_author_changed event goes with it: every follower's
 * read-model hash gains or loses `p:<followee>`. Its job key folds a crossing back and forth
 * into one pending plan; the plan reads the count when it runs.
 */
export async function changeFollow(follows: FollowsRepository, followerId: string, followeeId: string, following: boolean, pullThreshold: number): Promise<FollowChange> {
  validateEdge(followerId, followeeId);
  const change = await follows.change({ followerId, followeeId, following }, pullThreshold, {
    changed: { task: OUTBOX_TASKS.followChanged, payload: { followerId, followeeId, following }, queue: followQueueName(followerId) },
    pullCrossed: {
      task: OUTBOX_TASKS.pullAuthorChanged,
      payload: { authorId: followeeId },
      queue: pullAuthorQueueName(followeeId),
      key: `pull-plan:${followeeId}`,
    },
  });
  if (change.outcome === 'unknown-user') {
    throw unknownUser(change.field, change.userId);
  }
  if (change.outcome === 'blocked') {
    throw fieldError(Code.FailedPrecondition, 'followee_id', 'one of the two users blocked the other; following is not possible while the block stands');
  }
  return { changed: change.changed, followerCount: change.followerCount };
}
