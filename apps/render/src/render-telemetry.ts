// Render's span and metrics. One `feed.render.template` span per (template, asset.loaded) group
// of a batch, not per card: a 500-card page would otherwise emit 500 spans.
//   template.id / template.version  the template of the group's cards
//   asset.loaded                    true: the cards were built from Postgres in this call (cache
//                                   miss); false: they were served from the Redis card cache
//   render.card.count               cards in the group
import type { MissingReason, Template } from '@feedmesh/contracts';
import { MissingReason as MissingReasons } from '@feedmesh/contracts';
import { trace } from '@opentelemetry/api';
import { Counter, type Registry } from 'prom-client';

const tracer = trace.getTracer('feedmesh');

export interface CardOutcome {
  template: Template | undefined;
  /** True when built from Postgres in this call. */
  loaded: boolean;
}

export class RenderTelemetry {
  private readonly cards: Counter<'template_id' | 'asset_loaded'>;
  private readonly missing: Counter<'reason'>;

  constructor(registry: Registry) {
    this.cards = new Counter({
      name: 'render_cards_total',
      help: 'Cards rendered by template and whether they were built from Postgres (asset_loaded=true) or served from the cache.',
      labelNames: ['template_id', 'asset_loaded'],
      registers: [registry],
    });
    this.missing = new Counter({
      name: 'render_missing_total',
      help: 'Requested items that could not be rendered, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    });
  }

  /** Call in the handler's context, so the spans are children of the RPC span. */
  batchRendered(outcomes: readonly CardOutcome[], missing: readonly MissingReason[], startedAt: Date): void {
    const groups = new Map<string, { id: string; version: number; loaded: boolean; count: number }>();
    for (const { template, loaded } of outcomes) {
      const id = template?.id ?? '';
      const version = template?.version ?? 0;
      const key = `${id}\u0000${version}\u0000${loaded}`;
      const group = groups.get(key);
      if (group) group.count++;
      else groups.set(key, { id, version, loaded, count: 1 });
    }
    for (const g of groups.values()) {
      tracer
        .startSpan('feed.render.template', {
          startTime: startedAt,
          attributes: { 'template.id': g.id, 'template.version': g.version, 'asset.loaded': g.loaded, 'render.card.count': g.count },
        })
        .end();
      this.cards.labels(g.id, String(g.loaded)).inc(g.count);
    }
    for (const reason of missing) this.missing.labels(MissingReasons[reason] ?? String(reason)).inc();
  }
}
