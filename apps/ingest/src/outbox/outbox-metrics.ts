// The outbox's lag as Prometheus gauges, read from the queue at scrape time: the queue is shared
// by every ingest replica and worker process, so each replica reports the same numbers (alert
// on max()). Ingest reports them whether it runs the workers or not (INGEST_RUN_WORKER).
import { Gauge, type Registry } from 'prom-client';
import type { OutboxBacklog } from '@feedmesh/storage';

export function registerOutboxMetrics(registry: Registry, backlog: () => Promise<OutboxBacklog>, onError: (error: unknown) => void): void {
  let read: Promise<OutboxBacklog | undefined> | undefined;
  // Both gauges of one scrape share one query.
  const current = () =>
    (read ??= backlog()
      .catch((error: unknown) => {
        onError(error);
        return undefined;
      })
      .finally(() => setImmediate(() => (read = undefined))));
  new Gauge({
    name: 'ingest_outbox_lag_seconds',
    help: 'Age of the oldest outbox job that is due and not done (0: none waiting); NaN while the queue cannot be read.',
    registers: [registry],
    async collect() {
      const now = await current();
      // Unknown is NaN, never 0: a lag nobody can read must not look like an empty queue.
      this.set(now ? now.oldestDueAgeSeconds : NaN);
    },
  });
  new Gauge({
    name: 'ingest_outbox_jobs',
    help: 'Outbox jobs by state: due (running or waiting for a worker), scheduled (later, mostly retries in backoff), failed (attempts used up).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const now = await current();
      this.reset();
      if (!now) return;
      this.labels('due').set(now.due);
      this.labels('scheduled').set(now.scheduled);
      this.labels('failed').set(now.failed);
    },
  });
}
