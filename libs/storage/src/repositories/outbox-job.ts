import type pg from 'pg';

/**
 * An outbox event: a graphile-worker job added in the same transaction as the write it announces
 * (graphile_worker.add_job), so it exists exactly when the write committed. The task names and
 * payloads are the writer's; the repositories only place the call.
 */
export interface OutboxJob {
  task: string;
  payload: unknown;
  /** A named queue: its jobs run one after another. */
  queue?: string;
  /** A pending job with the same key is replaced instead of a second one added. */
  key?: string;
}

/** Adds `job` on `client` (inside the caller's transaction). */
export async function addJob(client: pg.ClientBase, job: OutboxJob): Promise<void> {
  if (job.key === undefined) {
    await client.query('SELECT graphile_worker.add_job($1, $2::json, queue_name => $3)', [job.task, JSON.stringify(job.payload), job.queue ?? null]);
  } else {
    await client.query('SELECT graphile_worker.add_job($1, $2::json, queue_name => $3, job_key => $4)', [job.task, JSON.stringify(job.payload), job.queue ?? null, job.key]);
  }
}
