// The follows table with the users' denormalized follower/following counts, and the fan-out
// plans that cut an author's followers into batches (one outbox job per batch).
import type { ItemStatus } from '@feedmesh/contracts';
import type pg from 'pg';
import { addJob, type OutboxJob } from './outbox-job.js';

export interface FollowEdge {
  followerId: string;
  followeeId: string;
  /** True to add the edge, false to remove it. */
  following: boolean;
}

export type FollowChange =
  | { outcome: 'done'; changed: boolean; followerCount: number }
  /** The named user does not exist (nothing was written). */
  | { outcome: 'unknown-user'; field: 'follower_id' | 'followee_id'; userId: string }
  /** One of the two blocked the other: no edge may be added (so no fan-out crosses a block). */
  | { outcome: 'blocked' };

export interface FollowJobs {
  /** Added whenever the edge changed. */
  changed: OutboxJob;
  /** Added as well when the change moves the followee's follower count across the pull threshold. */
  pullCrossed: OutboxJob;
}

/** The item and the place in the author's followers a fan-out batch starts from. */
export interface FollowerBatchPlan {
  itemId: string;
  authorId: string;
  /** The encoded timeline member and its score, carried by every batch job. */
  member: string;
  score: number;
}

export interface FollowerBatch {
  itemId: string;
  authorId: string;
  fromFollowerId: string;
  limit: number;
}

// Cuts the author's followers into batches of `size` by follower_id (an index-only scan of
// follows_followee_follower_idx) and enqueues one job per batch in the same statement. A batch
// reads its followers by keyset (follower_id >= from, LIMIT size), so jobs are independent and
// run in parallel across workers; a follower who arrives later gets the item by follow backfill.
// Job keys make a replayed plan replace pending batch jobs instead of adding more.
const PLAN_BATCHES = `
WITH starts AS (
  SELECT follower_id FROM (
    SELECT follower_id, row_number() OVER (ORDER BY follower_id) AS n
    FROM follows WHERE followee_id = $1
  ) numbered
  WHERE (n - 1) % $2 = 0
)
SELECT count(*) AS jobs
FROM starts CROSS JOIN LATERAL graphile_worker.add_job(
  $3,
  json_build_object('itemId', $4::text, 'authorId', $1::text, 'member', $5::text, 'score', $6::float8,
                    'fromFollowerId', follower_id, 'limit', $2::int),
  job_key => 'item:' || $4 || ':' || $3 || ':' || follower_id
) AS job`;

// Cuts the author's followers into ranges of about `size` by follower_id (an index-only scan of
// follows_followee_follower_idx) and enqueues one job per range in the same statement, in the
// author's queue (after the plan, one at a time). A range is [from, next from): a follower who
// arrives later inside it is covered too, and one who arrives later anywhere is covered by their
// own follow event. Job keys make a replayed plan replace pending jobs instead of adding more.
const PLAN_PULL_BATCHES = `
WITH numbered AS (
  SELECT follower_id, row_number() OVER (ORDER BY follower_id) AS n FROM follows WHERE followee_id = $1
), starts AS (
  SELECT follower_id, lead(follower_id) OVER (ORDER BY follower_id) AS next_start FROM numbered WHERE (n - 1) % $2 = 0
)
SELECT count(*)::int AS jobs
FROM starts CROSS JOIN LATERAL graphile_worker.add_job(
  $3,
  json_build_object('authorId', $1::text, 'fromFollowerId', follower_id, 'toFollowerId', next_start),
  queue_name => $4,
  job_key => 'pull-batch:' || $1 || ':' || follower_id
) AS job`;

export class FollowsRepository {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Adds or removes a follow edge, idempotently. One transaction holds the edge, both users'
   * counters and the outbox jobs. The two user rows are locked in id order first, so A-follows-B
   * and B-follows-A at the same time queue up instead of deadlocking, and the counts returned
   * are exact. The lock on the followee's row also makes a crossing of `pullThreshold` exact:
   * each one is seen by exactly one transaction.
   */
  async change(edge: FollowEdge, pullThreshold: number, jobs: FollowJobs): Promise<FollowChange> {
    const { followerId, followeeId, following } = edge;
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const users = await client.query<{ id: string; follower_count: number }>(
        'SELECT id, follower_count FROM users WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE',
        [[followerId, followeeId]],
      );
      for (const [field, id] of [['follower_id', followerId], ['followee_id', followeeId]] as const) {
        if (!users.rows.some((u) => u.id === id)) {
          await client.query('ROLLBACK');
          return { outcome: 'unknown-user', field, userId: id };
        }
      }
      // Both user rows are locked: a concurrent Block (its user_blocks insert needs a key-share
      // lock on them) commits either before this check or after this edge, which it then removes.
      if (following) {
        const blocks = await client.query(
          'SELECT 1 FROM user_blocks WHERE (user_id = $1 AND target_user_id = $2) OR (user_id = $2 AND target_user_id = $1) LIMIT 1',
          [followerId, followeeId],
        );
        if ((blocks.rowCount ?? 0) > 0) {
          await client.query('ROLLBACK');
          return { outcome: 'blocked' };
        }
      }
      const changedRows = following
        ? await client.query('INSERT INTO follows (follower_id, followee_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [followerId, followeeId])
        : await client.query('DELETE FROM follows WHERE follower_id = $1 AND followee_id = $2', [followerId, followeeId]);
      const changed = (changedRows.rowCount ?? 0) > 0;
      const previousCount = users.rows.find((u) => u.id === followeeId)!.follower_count;
      let followerCount = previousCount;
      if (changed) {
        const delta = following ? 1 : -1;
        const counts = await client.query<{ id: string; follower_count: number }>(
          `UPDATE users SET
             following_count = following_count + CASE WHEN id = $1 THEN $3::int ELSE 0 END,
             follower_count = follower_count + CASE WHEN id = $2 THEN $3::int ELSE 0 END
           WHERE id IN ($1, $2)
           RETURNING id, follower_count`,
          [followerId, followeeId, delta],
        );
        followerCount = counts.rows.find((u) => u.id === followeeId)!.follower_count;
        await addJob(client, jobs.changed);
        if (previousCount > pullThreshold !== followerCount > pullThreshold) await addJob(client, jobs.pullCrossed);
      }
      await client.query('COMMIT');
      return { outcome: 'done', changed, followerCount };
    } catch (error) {
      // A client whose ROLLBACK failed too (its connection lost or silent) is destroyed, not pooled.
      broken = await client.query('ROLLBACK').then(
        () => undefined,
        (rollbackError: unknown) => (rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError))),
      );
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** Whether the edge exists now, and the followee's follower count (null when no such user). */
  async edgeState(followerId: string, followeeId: string): Promise<{ edge: boolean; followerCount: number | null }> {
    const { rows } = await this.pool.query<{ edge: boolean; follower_count: number | null }>(
      `SELECT EXISTS (SELECT 1 FROM follows WHERE follower_id = $1 AND followee_id = $2) AS edge,
              (SELECT follower_count FROM users WHERE id = $2) AS follower_count`,
      [followerId, followeeId],
    );
    return { edge: rows[0]!.edge, followerCount: rows[0]!.follower_count };
  }

  /**
   * The authors the user follows whose items are pushed (at most `pullThreshold` followers: the
   * others recall pulls at read time), most recently followed first: what a home timeline is
   * rebuilt from. The primary key (follower_id, followee_id) finds the user's edges.
   */
  async pushedFollowees(followerId: string, pullThreshold: number, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ followee_id: string }>(
      `SELECT f.followee_id FROM follows f JOIN users u ON u.id = f.followee_id
       WHERE f.follower_id = $1 AND u.follower_count <= $2
       ORDER BY f.created_at DESC, f.followee_id LIMIT $3`,
      [followerId, pullThreshold, limit],
    );
    return rows.map((r) => r.followee_id);
  }

  /**
   * Enqueues `task` once per batch of `batchSize` of the author's followers, in one statement;
   * each job's payload is the plan plus `fromFollowerId` and `limit` (a FollowerBatch). Returns
   * how many jobs it added.
   */
  async planFollowerBatches(task: string, plan: FollowerBatchPlan, batchSize: number): Promise<number> {
    const { rows } = await this.pool.query<{ jobs: string }>(PLAN_BATCHES, [plan.authorId, batchSize, task, plan.itemId, plan.member, plan.score]);
    return Number(rows[0]?.jobs ?? 0);
  }

  /** The followers of one batch and the item's current status (null when the item is gone). */
  async batchFollowers(batch: FollowerBatch): Promise<{ itemStatus: ItemStatus | null; followerIds: string[] }> {
    const { rows } = await this.pool.query<{ status: ItemStatus | null; followers: string[] }>(
      `SELECT (SELECT status FROM items WHERE id = $1) AS status,
              array(SELECT follower_id FROM follows WHERE followee_id = $2 AND follower_id >= $3 ORDER BY follower_id LIMIT $4) AS followers`,
      [batch.itemId, batch.authorId, batch.fromFollowerId, batch.limit],
    );
    return { itemStatus: rows[0]?.status ?? null, followerIds: rows[0]?.followers ?? [] };
  }

  /**
   * Enqueues `task` in `queue` once per range of about `rangeSize` of the author's followers,
   * payload `{authorId, fromFollowerId, toFollowerId}` (toFollowerId null: to the end).
   */
  async planFollowerRanges(authorId: string, rangeSize: number, task: string, queue: string): Promise<void> {
    await this.pool.query(PLAN_PULL_BATCHES, [authorId, rangeSize, task, queue]);
  }

  /** The author's follower count (null when no such user) and their followers in [from, to). */
  async followerRange(authorId: string, fromFollowerId: string, toFollowerId: string | null): Promise<{ followerCount: number | null; followerIds: string[] }> {
    const { rows } = await this.pool.query<{ follower_count: number | null; followers: string[] }>(
      `SELECT (SELECT follower_count FROM users WHERE id = $1) AS follower_count,
              array(SELECT follower_id FROM follows
                    WHERE followee_id = $1 AND follower_id >= $2 AND ($3::text IS NULL OR follower_id < $3)
                    ORDER BY follower_id) AS followers`,
      [authorId, fromFollowerId, toFollowerId],
    );
    return { followerCount: rows[0]!.follower_count, followerIds: rows[0]!.followers };
  }
}
