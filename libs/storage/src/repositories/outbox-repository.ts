// The outbox queue's housekeeping: ingest_worker_leases and graphile-worker's public SQL API
// (graphile_worker.jobs, reschedule_jobs, force_unlock_workers). The jobs themselves are added
// by the writes they announce (outbox-job.ts).
import type pg from 'pg';

// Renews this process' leases, then unlocks jobs whose worker holds no live lease and which
// were locked longer than a lease ago (the grace covers a worker that locked a job a moment
// before its first lease was written). graphile-worker keeps job locks in its private table;
// force_unlock_workers is its public way to release them.
const RENEW_AND_SWEEP = `
WITH renewed AS (
  INSERT INTO ingest_worker_leases (worker_id, instance, heartbeat_at)
  SELECT worker_id, $2, now() FROM unnest($1::text[]) AS worker_id
  ON CONFLICT (worker_id) DO UPDATE SET heartbeat_at = now(), instance = EXCLUDED.instance
  RETURNING worker_id
), expired AS (
  DELETE FROM ingest_worker_leases WHERE heartbeat_at < now() - make_interval(secs => $3::float8 / 1000) * 10
), orphaned AS (
  SELECT coalesce(array_agg(DISTINCT jobs.locked_by), '{}') AS worker_ids
  FROM graphile_worker._private_jobs jobs
  WHERE jobs.locked_by IS NOT NULL
    AND jobs.locked_at < now() - make_interval(secs => $3::float8 / 1000)
    AND jobs.locked_by <> ALL ($1::text[])
    AND NOT EXISTS (
      SELECT 1 FROM ingest_worker_leases lease
      WHERE lease.worker_id = jobs.locked_by AND lease.heartbeat_at >= now() - make_interval(secs => $3::float8 / 1000)
    )
)
SELECT worker_ids, graphile_worker.force_unlock_workers(worker_ids) IS NULL AS unlocked, (SELECT count(*) FROM renewed) AS renewed
FROM orphaned`;

// A job that is locked (running) is left alone by reschedule_jobs.
const RESCHEDULE_FAILED = `
SELECT count(*)::int AS n FROM graphile_worker.reschedule_jobs(
  (SELECT coalesce(array_agg(id), '{}') FROM graphile_worker.jobs
   WHERE attempts > 0 AND attempts < max_attempts AND locked_at IS NULL AND run_at > now()),
  run_at => now())`;

// What the queue holds: due jobs (running or waiting for a worker; the oldest one's age is the
// lag), jobs scheduled later (mostly retries waiting out a backoff), and jobs that used up their
// attempts. One pass over graphile-worker's public view.
const BACKLOG = `
SELECT count(*) FILTER (WHERE attempts < max_attempts AND run_at <= now())::int AS due,
       count(*) FILTER (WHERE attempts < max_attempts AND run_at > now())::int AS scheduled,
       count(*) FILTER (WHERE attempts >= max_attempts)::int AS failed,
       coalesce(extract(epoch FROM now() - min(run_at) FILTER (WHERE attempts < max_attempts AND run_at <= now())), 0)::float8 AS oldest_due_age_s
FROM graphile_worker.jobs`;

export interface OutboxBacklog {
  due: number;
  scheduled: number;
  failed: number;
  /** How long the oldest due job has been waiting (0 when none is due): the outbox's lag. */
  oldestDueAgeSeconds: number;
}

export class OutboxRepository {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Renews the leases of `workerIds` (held by `instance`) and unlocks the jobs of workers whose
   * lease lapsed `leaseMs` ago; returns the worker ids whose jobs were unlocked.
   */
  async renewLeasesAndSweep(workerIds: readonly string[], instance: string, leaseMs: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ worker_ids: string[] }>(RENEW_AND_SWEEP, [[...workerIds], instance, leaseMs]);
    return rows[0]?.worker_ids ?? [];
  }

  /** The queue's backlog right now (outbox lag), for metrics. */
  async backlog(): Promise<OutboxBacklog> {
    const { rows } = await this.pool.query<{ due: number; scheduled: number; failed: number; oldest_due_age_s: number }>(BACKLOG);
    const row = rows[0]!;
    return { due: row.due, scheduled: row.scheduled, failed: row.failed, oldestDueAgeSeconds: row.oldest_due_age_s };
  }

  /** Gives the leases up (a clean stop leaves no job locked). */
  async releaseLeases(workerIds: readonly string[]): Promise<void> {
    await this.pool.query('DELETE FROM ingest_worker_leases WHERE worker_id = ANY($1::text[])', [[...workerIds]]);
  }

  /** Makes every job waiting out a retry backoff due now; returns how many. */
  async rescheduleFailedJobs(): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(RESCHEDULE_FAILED);
    return rows[0]?.n ?? 0;
  }

  /** Frees the jobs still locked by workers that are gone, so they run again now rather than in 4 hours. */
  async unlockWorkers(workerIds: readonly string[]): Promise<void> {
    if (workerIds.length === 0) return;
    await this.pool.query('SELECT graphile_worker.force_unlock_workers($1::text[])', [[...workerIds]]);
  }
}
