import type { Task } from 'graphile-worker';
import { OUTBOX_TASKS, pullAuthorQueueName, type PullAuthorBatchPayload, type PullAuthorPayload } from '../outbox/outbox-tasks.js';
import { writePulledAuthor } from '../read-model/read-model-writes.js';
import type { TaskContext } from './task-context.js';

// Cuts the author's followers into ranges of about `size` by follower_id (an index-only scan of
// follows_followee_follower_idx) and enqueues one job per range in the same statement, in the
// author's queue (after this plan, one at a time). A range is [from, next from): a follower who
// arrives later inside it is covered too, and one who arrives later anywhere gets `p:` from their
// own follow_changed job. Job keys make a replayed plan replace pending jobs instead of adding more.
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

/**
 * An author's follower count crossed the pull threshold (pull_author_changed, enqueued with the
 * follow edge change that crossed it): every follower's read-model hash must gain `p:<author>`
 * (now above it) or lose it (back to it). Plans the batches; each reads the count again.
 */
export function pullAuthorChangedTask(context: TaskContext): Task {
  return async (payload) => {
    const { authorId } = payload as PullAuthorPayload;
    await context.pool.query(PLAN_PULL_BATCHES, [authorId, context.fanoutBatchSize, OUTBOX_TASKS.pullAuthorBatch, pullAuthorQueueName(authorId)]);
  };
}

/**
 * One range of the author's followers: `p:<author>` = the follower count when the author has
 * more followers than the threshold now, else removed. It acts on the state when it runs, not on
 * the crossing that planned it, so replays and a crossing quickly undone converge on the
 * current state.
 */
export function pullAuthorBatchTask(context: TaskContext): Task {
  return async (payload) => {
    const batch = payload as PullAuthorBatchPayload;
    const { rows } = await context.pool.query<{ follower_count: number | null; followers: string[] }>(
      `SELECT (SELECT follower_count FROM users WHERE id = $1) AS follower_count,
              array(SELECT follower_id FROM follows
                    WHERE followee_id = $1 AND follower_id >= $2 AND ($3::text IS NULL OR follower_id < $3)
                    ORDER BY follower_id) AS followers`,
      [batch.authorId, batch.fromFollowerId, batch.toFollowerId],
    );
    const { follower_count: count, followers } = rows[0]!;
    if (count === null) return;
    await writePulledAuthor(context.redis, followers, batch.authorId, count > context.pullThreshold ? count : undefined);
  };
}
