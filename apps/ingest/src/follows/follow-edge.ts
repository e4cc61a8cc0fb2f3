import { Code, ConnectError } from '@connectrpc/connect';
import { invalidArgument } from '@feedmesh/service-kit';
import type pg from 'pg';
import { followQueueName, OUTBOX_TASKS, pullAuthorQueueName } from '../outbox/outbox-tasks.js';
import { checkUserId } from '../validation/field-checks.js';

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
 * Adds (`following` true) or removes a follow edge, idempotently. One transaction holds the edge,
 * both users' counters and the outbox events. The two user rows are locked in id order first, so
 * A-follows-B and B-follows-A at the same time queue up instead of deadlocking, and the counts
 * returned are exact.
 *
 * When the change moves the followee's follower count across `pullThreshold` (above it: a pull
 * author; back to it: pushed again), a pull_author_changed event goes with it: every follower's
 * read-model hash gains or loses `p:<followee>`. The lock on the followee's row makes the
 * crossing exact: each one is seen by exactly one transaction.
 */
export async function changeFollow(pool: pg.Pool, followerId: string, followeeId: string, following: boolean, pullThreshold: number): Promise<FollowChange> {
  validateEdge(followerId, followeeId);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const users = await client.query<{ id: string; follower_count: number }>(
      'SELECT id, follower_count FROM users WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
      [[followerId, followeeId]],
    );
    for (const [field, id] of [['follower_id', followerId], ['followee_id', followeeId]] as const) {
      if (!users.rows.some((u) => u.id === id)) {
        throw new ConnectError(`${field}: user ${JSON.stringify(id)} does not exist`, Code.NotFound, { 'x-field-violation': field });
      }
    }
    const edge = following
      ? await client.query('INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [followerId, followeeId])
      : await client.query('DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2', [followerId, followeeId]);
    const changed = (edge.rowCount ?? 0) > 0;
    const previousCount = users.rows.find((u) => u.id === followeeId)!.follower_count;
    let followerCount = previousCount;
    if (changed) {
      const delta = following ? 1 : -1;
      const counts = await client.query<{ follower_count: number }>(
        `UPDATE users SET
           following_count = following_count + CASE WHEN id = $1 THEN $3::int ELSE 0 END,
           follower_count = follower_count + CASE WHEN id = $2 THEN $3::int ELSE 0 END
         WHERE id IN ($1, $2)
         RETURNING id, follower_count`,
        [followerId, followeeId, delta],
      );
      followerCount = (counts.rows as Array<{ id: string; follower_count: number }>).find((u) => u.id === followeeId)!.follower_count;
      await client.query('SELECT graphile_worker.add_job($1, $2::json, queue_name => $3)', [
        OUTBOX_TASKS.followChanged,
        JSON.stringify({ followerId, followeeId, following }),
        followQueueName(followerId),
      ]);
      if (previousCount > pullThreshold !== followerCount > pullThreshold) {
        // The job key folds a crossing back and forth into one pending plan; the plan reads the
        // count when it runs.
        await client.query('SELECT graphile_worker.add_job($1, $2::json, queue_name => $3, job_key => $4)', [
          OUTBOX_TASKS.pullAuthorChanged,
          JSON.stringify({ authorId: followeeId }),
          pullAuthorQueueName(followeeId),
          `pull-plan:${followeeId}`,
        ]);
      }
    }
    await client.query('COMMIT');
    return { changed, followerCount };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
