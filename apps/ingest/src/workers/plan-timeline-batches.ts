import type pg from 'pg';
import type { TimelineBatchPayload } from '../outbox/outbox-tasks.js';

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

export async function planTimelineBatches(
  db: pg.Pool,
  task: string,
  batch: Omit<TimelineBatchPayload, 'fromFollowerId' | 'limit'>,
  batchSize: number,
): Promise<number> {
  const { rows } = await db.query<{ jobs: string }>(PLAN_BATCHES, [batch.authorId, batchSize, task, batch.itemId, batch.member, batch.score]);
  return Number(rows[0]?.jobs ?? 0);
}

/** The followers of one batch and the item's current status (a deleted item is not pushed). */
export async function loadBatchFollowers(db: pg.Pool, batch: TimelineBatchPayload): Promise<{ itemStatus: number | null; followerIds: string[] }> {
  const { rows } = await db.query<{ status: number | null; followers: string[] }>(
    `SELECT (SELECT status FROM items WHERE id = $1) AS status,
            array(SELECT follower_id FROM follows WHERE followee_id = $2 AND follower_id >= $3 ORDER BY follower_id LIMIT $4) AS followers`,
    [batch.itemId, batch.authorId, batch.fromFollowerId, batch.limit],
  );
  return { itemStatus: rows[0]?.status ?? null, followerIds: rows[0]?.followers ?? [] };
}
