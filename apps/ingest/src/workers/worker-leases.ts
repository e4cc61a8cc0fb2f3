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

/**
 * Crash recovery for the outbox queue. graphile-worker frees the jobs of a worker that died
 * (SIGKILL, OOM, lost node) only after 4 hours. Every worker process instead keeps a lease row
 * per worker pool (the id graphile-worker locks jobs with), renewed every leaseMs / 3; any process
 * frees the jobs of pools whose lease lapsed, so a fan-out killed mid-batch is retried within
 * about two lease periods.
 */
export class WorkerLeases {
  private readonly workerIds = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly instance: string,
    private readonly leaseMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  add(workerId: string): void {
    this.workerIds.add(workerId);
  }

  /** Stops renewing these (a pool that ended); their rows lapse. */
  remove(workerIds: Iterable<string>): void {
    for (const id of workerIds) this.workerIds.delete(id);
  }

  /** Renews and sweeps now, then on a timer. Returns the worker ids whose jobs were unlocked. */
  async beat(): Promise<string[]> {
    const { rows } = await this.pool.query<{ worker_ids: string[] }>(RENEW_AND_SWEEP, [[...this.workerIds], this.instance, this.leaseMs]);
    return rows[0]?.worker_ids ?? [];
  }

  start(): void {
    const tick = () => {
      this.beat().then(
        () => {},
        (error) => this.onError(error),
      );
    };
    tick();
    this.timer = setInterval(tick, Math.max(250, Math.floor(this.leaseMs / 3)));
    this.timer.unref();
  }

  /** Stops renewing and gives the leases up (a clean stop leaves no job locked). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.pool.query('DELETE FROM ingest_worker_leases WHERE worker_id = ANY($1::text[])', [[...this.workerIds]]).catch(this.onError);
  }
}
