import type { OutboxRepository } from '@feedmesh/storage';

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
    private readonly outbox: OutboxRepository,
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
    return this.outbox.renewLeasesAndSweep([...this.workerIds], this.instance, this.leaseMs);
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
    await this.outbox.releaseLeases([...this.workerIds]).catch(this.onError);
  }
}
