// Render's span and metrics. One `feed.render.template` span per (template, asset.loaded) group
// of a batch, not per card: a 500-card page would otherwise emit 500 spans.
//   template.id / template.version  the template of the group's cards
//   asset.loaded                    true: the cards were built from Postgres in this call (cache
//                                   miss); false: they were served from a cache layer (memory or
//                                   Redis)
//   render.card.count               cards in the group
// The spans are only built when the RPC's span records (under the default parent-based sampler
// a child of an unsampled span is not recorded either): most calls are not sampled.
//
// Metrics:
//   render_cards_total{template_id, asset_loaded}  cards rendered
//   render_missing_total{reason}                   requested ids that could not be rendered
//   render_card_lookups_total{layer}               requested ids (repeats included) by the layer
//                                                  that answered: memory, redis, postgres
//   render_memory_cache_entries / _bytes           memory layer size (bytes: encoded size)
//   render_memory_cache_invalidations_total        ids dropped from memory on a Redis change
//   render_memory_cache_tracking                   1 while Redis reports card changes
import type { FeedItem, MissingReason } from '@feedmesh/contracts';
import { MissingReason as MissingReasons } from '@feedmesh/contracts';
import { trace } from '@opentelemetry/api';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { MemoryCardCache } from './cache/memory-card-cache.js';

const tracer = trace.getTracer('feedmesh');

export interface RenderedBatch {
  /** Cards in response order. */
  items: readonly FeedItem[];
  /** Entries built from Postgres in this call, by id; the other cards came from a cache layer. */
  loaded: ReadonlyMap<string, unknown>;
  /** Reasons of the ids reported missing. */
  missing: readonly MissingReason[];
  /** Request positions (ids, repeats included) answered by each layer. */
  memoryHits: number;
  redisHits: number;
  postgresHits: number;
  /** Epoch ms the call started (span start); only read when spans are recorded. */
  startedAtMs: number;
}

interface Group {
  id: string;
  version: number;
  loaded: boolean;
  count: number;
}

/**
 * Per-call figures are summed in plain numbers and handed to prom-client when /metrics is
 * scraped (its inc() hashes and validates the label set on every call, even on a bound child).
 */
export class RenderTelemetry {
  private readonly invalidations: Counter;
  private readonly tracking: Gauge;
  /** Since the last scrape. */
  private readonly pending = {
    /** Template id → cards served: [from a cache layer, built from Postgres]. */
    cards: new Map<string, [cached: number, loaded: number]>(),
    /** MissingReason → ids reported missing. */
    missing: new Map<number, number>(),
    /** Distinct ids per answering layer. */
    memory: 0,
    redis: 0,
    postgres: 0,
  };

  constructor(registry: Registry, memory?: MemoryCardCache) {
    const pending = this.pending;
    new Counter({
      name: 'render_cards_total',
      help: 'Cards rendered by template and whether they were built from Postgres (asset_loaded=true) or served from a cache layer.',
      labelNames: ['template_id', 'asset_loaded'],
      registers: [registry],
      collect() {
        for (const [id, counts] of pending.cards) {
          if (counts[0] > 0) this.inc({ template_id: id, asset_loaded: 'false' }, counts[0]);
          if (counts[1] > 0) this.inc({ template_id: id, asset_loaded: 'true' }, counts[1]);
          counts[0] = counts[1] = 0;
        }
      },
    });
    new Counter({
      name: 'render_missing_total',
      help: 'Requested items that could not be rendered, by reason.',
      labelNames: ['reason'],
      registers: [registry],
      collect() {
        for (const [reason, count] of pending.missing) {
          if (count > 0) this.inc({ reason: MissingReasons[reason] ?? String(reason) }, count);
          pending.missing.set(reason, 0);
        }
      },
    });
    new Counter({
      name: 'render_card_lookups_total',
      help: 'Requested ids (each position of a Render call) by the layer that answered them: memory (this process), redis, postgres (built anew).',
      labelNames: ['layer'],
      registers: [registry],
      collect() {
        // Every layer is exported from the start, so hit ratios are defined before the first miss.
        this.inc({ layer: 'memory' }, pending.memory);
        this.inc({ layer: 'redis' }, pending.redis);
        this.inc({ layer: 'postgres' }, pending.postgres);
        pending.memory = pending.redis = pending.postgres = 0;
      },
    });
    this.invalidations = new Counter({
      name: 'render_memory_cache_invalidations_total',
      help: 'Ids dropped from the in-process card cache because their Redis entry changed.',
      registers: [registry],
    });
    this.tracking = new Gauge({
      name: 'render_memory_cache_tracking',
      help: '1 while Redis client tracking reports card changes to this process; 0: memory cards expire by TTL only.',
      registers: [registry],
    });
    if (memory) {
      new Gauge({
        name: 'render_memory_cache_entries',
        help: 'Cards (and missing answers) in the in-process card cache.',
        registers: [registry],
        collect() {
          this.set(memory.size);
        },
      });
      new Gauge({
        name: 'render_memory_cache_bytes',
        help: 'Encoded size of the entries in the in-process card cache (the decoded objects take a few times that).',
        registers: [registry],
        collect() {
          this.set(memory.bytes);
        },
      });
    }
  }

  /** True when the spans of this call would be recorded (call in the handler's context). */
  tracesThisCall(): boolean {
    return trace.getActiveSpan()?.isRecording() ?? true;
  }

  memoryInvalidated(ids: number): void {
    this.invalidations.inc(ids);
  }

  trackingChanged(active: boolean): void {
    this.tracking.set(active ? 1 : 0);
  }

  /** Call in the handler's context, so the spans are children of the RPC span. */
  batchRendered(batch: RenderedBatch, traced: boolean): void {
    const pending = this.pending;
    const anyLoaded = batch.loaded.size > 0;
    for (const item of batch.items) {
      const id = item.template?.id ?? '';
      let counts = pending.cards.get(id);
      if (counts === undefined) pending.cards.set(id, (counts = [0, 0]));
      counts[anyLoaded && batch.loaded.has(item.id) ? 1 : 0]++;
    }
    for (const reason of batch.missing) pending.missing.set(reason, (pending.missing.get(reason) ?? 0) + 1);
    pending.memory += batch.memoryHits;
    pending.redis += batch.redisHits;
    pending.postgres += batch.postgresHits;
    if (traced) this.templateSpans(batch);
  }

  private templateSpans(batch: RenderedBatch): void {
    const groups: Group[] = [];
    for (const item of batch.items) {
      const id = item.template?.id ?? '';
      const version = item.template?.version ?? 0;
      const loaded = batch.loaded.has(item.id);
      const group = groups.find((g) => g.id === id && g.version === version && g.loaded === loaded);
      if (group) group.count++;
      else groups.push({ id, version, loaded, count: 1 });
    }
    for (const g of groups) {
      tracer
        .startSpan('feed.render.template', {
          startTime: batch.startedAtMs,
          attributes: { 'template.id': g.id, 'template.version': g.version, 'asset.loaded': g.loaded, 'render.card.count': g.count },
        })
        .end();
    }
  }
}
