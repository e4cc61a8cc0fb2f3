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
//   render_card_lookups_total{layer}               distinct ids of each call by the layer that
//                                                  answered: memory, redis, postgres
//   render_memory_cache_entries / _bytes           memory layer size (bytes: encoded size)
//   render_memory_cache_invalidations_total        ids dropped from memory on a Redis change
//   render_memory_cache_tracking                   1 while Redis reports card changes
import type { FeedItem, MissingReason } from '@feedmesh/contracts';
import { MissingReason as MissingReasons } from '@feedmesh/contracts';
import { trace } from '@opentelemetry/api';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { MemoryCardCache } from './cache/memory-card-cache.js';

const tracer = trace.getTracer('feedmesh');

type BoundCounter = ReturnType<Counter<string>['labels']>;

export interface RenderedBatch {
  /** Cards in response order. */
  items: readonly FeedItem[];
  /** Ids served from a cache layer; the other cards were built from Postgres in this call. */
  cached: ReadonlyMap<string, unknown>;
  /** Reasons of the ids reported missing. */
  missing: readonly MissingReason[];
  /** Distinct ids answered by each layer. */
  memoryHits: number;
  redisHits: number;
  loaded: number;
  /** Epoch ms the call started (span start); only read when spans are recorded. */
  startedAtMs: number;
}

interface Group {
  id: string;
  version: number;
  loaded: boolean;
  count: number;
}

export class RenderTelemetry {
  private readonly cards: Counter<'template_id' | 'asset_loaded'>;
  private readonly missing: Counter<'reason'>;
  private readonly lookups: Counter<'layer'>;
  private readonly invalidations: Counter;
  private readonly tracking: Gauge;
  // prom-client hashes the label set on every labels() call; the bound children are kept.
  private readonly cardChildren = new Map<string, [cached: BoundCounter, loaded: BoundCounter]>();
  private readonly missingChildren = new Map<number, BoundCounter>();
  private readonly memoryLookups: BoundCounter;
  private readonly redisLookups: BoundCounter;
  private readonly postgresLookups: BoundCounter;

  constructor(registry: Registry, memory?: MemoryCardCache) {
    this.cards = new Counter({
      name: 'render_cards_total',
      help: 'Cards rendered by template and whether they were built from Postgres (asset_loaded=true) or served from a cache layer.',
      labelNames: ['template_id', 'asset_loaded'],
      registers: [registry],
    });
    this.missing = new Counter({
      name: 'render_missing_total',
      help: 'Requested items that could not be rendered, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.lookups = new Counter({
      name: 'render_card_lookups_total',
      help: 'Distinct ids of each Render call by the layer that answered them: memory (this process), redis, postgres (built anew).',
      labelNames: ['layer'],
      registers: [registry],
    });
    this.memoryLookups = this.lookups.labels('memory');
    this.redisLookups = this.lookups.labels('redis');
    this.postgresLookups = this.lookups.labels('postgres');
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
    const groups: Group[] = [];
    for (const item of batch.items) {
      const id = item.template?.id ?? '';
      const version = item.template?.version ?? 0;
      const loaded = !batch.cached.has(item.id);
      let group: Group | undefined;
      for (const g of groups) {
        if (g.id === id && g.version === version && g.loaded === loaded) {
          group = g;
          break;
        }
      }
      if (group) group.count++;
      else groups.push({ id, version, loaded, count: 1 });
    }
    for (const g of groups) {
      if (traced) {
        tracer
          .startSpan('feed.render.template', {
            startTime: batch.startedAtMs,
            attributes: { 'template.id': g.id, 'template.version': g.version, 'asset.loaded': g.loaded, 'render.card.count': g.count },
          })
          .end();
      }
      this.cardCounter(g.id, g.loaded).inc(g.count);
    }
    for (const reason of batch.missing) this.missingCounter(reason).inc();
    if (batch.memoryHits > 0) this.memoryLookups.inc(batch.memoryHits);
    if (batch.redisHits > 0) this.redisLookups.inc(batch.redisHits);
    if (batch.loaded > 0) this.postgresLookups.inc(batch.loaded);
  }

  private cardCounter(templateId: string, loaded: boolean): BoundCounter {
    let pair = this.cardChildren.get(templateId);
    if (pair === undefined) {
      pair = [this.cards.labels(templateId, 'false'), this.cards.labels(templateId, 'true')];
      this.cardChildren.set(templateId, pair);
    }
    return pair[loaded ? 1 : 0];
  }

  private missingCounter(reason: MissingReason): BoundCounter {
    let child = this.missingChildren.get(reason);
    if (child === undefined) {
      child = this.missing.labels(MissingReasons[reason] ?? String(reason));
      this.missingChildren.set(reason, child);
    }
    return child;
  }
}
