// The aggregator's own Prometheus series, next to the kit's RPC metrics in the app's registry:
// what the pages it served were like (degraded, and why), and how much of its budget each
// budgeted stage used. Recorded once per served page by the pipeline runner (run-pipeline.ts).
import { Counter, Histogram, type Registry } from 'prom-client';
import type { FeedRun } from './pipeline/components.js';

/** Share of the stage's budget it took: under 1 is in time; the top buckets are the stragglers cut off. */
const budgetShareBuckets = [0.1, 0.25, 0.5, 0.75, 0.9, 1, 1.25, 1.5, 2];
const stageBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.085, 0.1, 0.25, 0.5, 1];

export class PageMetrics {
  private readonly pages: Counter<'feed' | 'degraded'>;
  private readonly degraded: Counter<'feed' | 'reason'>;
  private readonly stageDuration: Histogram<'stage'>;
  private readonly budgetUsed: Histogram<'stage'>;

  constructor(registry: Registry) {
    this.pages = new Counter({
      name: 'aggregator_pages_served_total',
      help: 'Feed pages served, by feed and whether they were degraded (true: some part failed open; see aggregator_degraded_pages_total).',
      labelNames: ['feed', 'degraded'],
      registers: [registry],
    });
    this.degraded = new Counter({
      name: 'aggregator_degraded_pages_total',
      help: 'Degraded pages by feed and reason ("ranking: unavailable", "recall: deadline_exceeded"...); a page with two reasons counts under each.',
      labelNames: ['feed', 'reason'],
      registers: [registry],
    });
    this.stageDuration = new Histogram({
      name: 'aggregator_stage_duration_seconds',
      help: "Wall time of each stage and component of a served page (the debug output's timings).",
      labelNames: ['stage'],
      buckets: stageBuckets,
      registers: [registry],
    });
    this.budgetUsed = new Histogram({
      name: 'aggregator_stage_budget_used_ratio',
      help: 'Share of its deadline budget a budgeted stage (recall, ranking, render) took on a served page.',
      labelNames: ['stage'],
      buckets: budgetShareBuckets,
      registers: [registry],
    });
  }

  pageServed(feed: string, run: Pick<FeedRun, 'degradedReasons' | 'timings'>): void {
    // A reason repeated within one page (two top-ups failing alike) is one degraded page.
    const reasons = new Set(run.degradedReasons);
    this.pages.labels(feed, String(reasons.size > 0)).inc();
    for (const reason of reasons) this.degraded.labels(feed, reason).inc();
    for (const { stage, durationMs, budgetMs } of run.timings) {
      this.stageDuration.labels(stage).observe(durationMs / 1000);
      if (budgetMs > 0) this.budgetUsed.labels(stage).observe(durationMs / budgetMs);
    }
  }
}
