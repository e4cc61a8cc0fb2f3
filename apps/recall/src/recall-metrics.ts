import { SourceStatus } from '@feedmesh/contracts';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { SourceRun } from './run-source.js';

const buckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.085, 0.1, 0.25, 0.5, 1];

/** Per-source latency and outcome, so a degrading source shows up before it times out. */
export class RecallMetrics {
  private readonly sourceDuration: Histogram<'source' | 'status'>;
  private readonly freshFallbacks: Counter;
  private readonly homeRebuilds: Counter<'outcome'>;

  constructor(registry: Registry) {
    this.sourceDuration = new Histogram({
      name: 'recall_source_duration_seconds',
      help: 'Recall source latency by source and status (OK, TIMEOUT, ERROR); count = calls.',
      labelNames: ['source', 'status'],
      buckets,
      registers: [registry],
    });
    this.freshFallbacks = new Counter({
      name: 'recall_fresh_postgres_fallbacks_total',
      help: 'Times the fresh-items zset was empty and the "fresh" source read Postgres instead.',
      registers: [registry],
    });
    this.homeRebuilds = new Counter({
      name: 'recall_home_timeline_rebuilds_total',
      help: "Home timelines rebuilt from the user's follows on read (a returning inactive user, a new one, or lost Redis keys), by outcome (filled, empty).",
      labelNames: ['outcome'],
      registers: [registry],
    });
  }

  /** A missing home timeline built from the user's follows: `empty` when it found no entries. */
  homeTimelineRebuilt(entries: number): void {
    this.homeRebuilds.labels(entries > 0 ? 'filled' : 'empty').inc();
  }

  freshFallback(): void {
    this.freshFallbacks.inc();
  }

  sourceFinished(run: SourceRun): void {
    this.sourceDuration.labels(run.name, SourceStatus[run.status] ?? String(run.status)).observe(run.latencyMs / 1000);
  }
}
