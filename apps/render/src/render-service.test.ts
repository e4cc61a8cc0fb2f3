import { create } from '@bufbuild/protobuf';
import { ItemKind, ItemStatus, MissingReason, RenderRequestSchema } from '@feedmesh/contracts';
import type { Logger } from '@feedmesh/telemetry';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { CardCache } from './cache/card-cache.js';
import type { CardEntry } from './cache/card-entry.js';
import { MemoryCardCache } from './cache/memory-card-cache.js';
import { RenderedCardCache, type CachedCard } from './cache/rendered-card-cache.js';
import { CardLoader } from './card-loader.js';
import { createRenderService } from './render-service.js';
import { RenderTelemetry } from './render-metrics.js';
import { renderCard } from './templates/card-templates.js';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const [inMemory, inRedis, inPostgres, gone] = [1, 2, 3, 4].map(uuid) as [string, string, string, string];

function card(id: string, expiresAtMs = Date.now() + 60_000): CardEntry {
  const { item } = renderCard({ id, kind: ItemKind.ARTICLE, authorId: 'u1', createdAtMs: 1, status: 1, payload: { title: id } });
  return { type: 'card', item, expiresAtMs };
}

function setUp({ earlyRefreshWindowMs = 0 } = {}) {
  const redisCache = new RenderedCardCache({} as never, {} as Logger, { readTimeoutMs: 25, ttlJitter: 0 });
  const redisReads: string[][] = [];
  vi.spyOn(redisCache, 'getMany').mockImplementation(async (ids) => {
    redisReads.push([...ids]);
    return new Map<string, CachedCard>(ids.filter((id) => id === inRedis).map((id) => [id, { entry: card(id), bytes: 10 }]));
  });
  vi.spyOn(redisCache, 'writeStamped').mockResolvedValue();
  const memory = new MemoryCardCache({ maxEntries: 100, maxBytes: 100_000, ttlMs: 60_000, volatileTtlMs: 60_000 });
  const cache = new CardCache(redisCache, memory);
  const loads: string[][] = [];
  // Postgres: every id exists, `gone` is deleted.
  const items = {
    byIds: async (ids: readonly string[]) => {
      loads.push([...ids]);
      return new Map(ids.map((id) => [id, { id, kind: ItemKind.ARTICLE, authorId: 'u1', createdAtMs: 1, status: id === gone ? ItemStatus.DELETED : ItemStatus.ACTIVE, payload: { title: id } }]));
    },
  };
  const loader = new CardLoader(items, cache, { cardMs: 60_000, volatileCardMs: 15_000, missingMs: 30_000 });
  const registry = new Registry();
  const render = createRenderService({
    cache,
    loader,
    telemetry: new RenderTelemetry(registry, memory),
    earlyRefreshWindowMs,
    logger: { warn: () => {} } as unknown as Logger,
  });
  const lookups = async () => {
    const metric = await registry.getSingleMetric('render_card_lookups_total')!.get();
    return Object.fromEntries(metric.values.map((v) => [v.labels.layer, v.value]));
  };
  return { render: (itemIds: string[]) => render(create(RenderRequestSchema, { itemIds })), memory, redisReads, loads, lookups };
}

describe('render handler', () => {
  it('answers each position from the first layer that has it, in request order', async () => {
    const { render, memory, redisReads, loads, lookups } = setUp();
    memory.set(inMemory, card(inMemory), 10, false, memory.mark());
    const res = await render([inPostgres, inMemory, gone, inRedis.toUpperCase(), inMemory, gone]);
    expect(res.items?.map((i) => i.id)).toEqual([inPostgres, inMemory, inRedis, inMemory]);
    expect(res.missing).toEqual([{ itemId: gone, reason: MissingReason.DELETED }]); // reported once
    expect(redisReads).toEqual([[inPostgres, gone, inRedis]]);
    expect(loads).toEqual([[inPostgres, gone]]);
    expect(await lookups()).toEqual({ memory: 2, redis: 1, postgres: 3 });
  });

  it('serves a call that memory answers whole without Redis or Postgres', async () => {
    const { render, redisReads, loads, lookups } = setUp();
    await render([inPostgres, inRedis, gone]); // now all in memory
    expect(await lookups()).toEqual({ memory: 0, redis: 1, postgres: 2 });
    const res = await render([gone, inRedis, inPostgres]);
    expect(res.items?.map((i) => i.id)).toEqual([inRedis, inPostgres]);
    expect(res.missing).toHaveLength(1);
    expect(redisReads).toHaveLength(1);
    expect(loads).toHaveLength(1);
    expect(await lookups()).toEqual({ memory: 3, redis: 1, postgres: 2 }); // cumulative
  });

  it('refreshes a memory hit near its Redis expiry in the background (XFetch)', async () => {
    const { render, memory, loads } = setUp({ earlyRefreshWindowMs: 10_000 });
    memory.set(inMemory, card(inMemory, Date.now() + 5), 10, false, memory.mark());
    const res = await render([inMemory]);
    expect(res.items).toHaveLength(1);
    await vi.waitFor(() => expect(loads).toEqual([[inMemory]]));
    // The refreshed entry replaced the old one in memory.
    await vi.waitFor(() => expect(memory.get(inMemory)!.expiresAtMs).toBeGreaterThan(Date.now() + 50_000));
  });
});
