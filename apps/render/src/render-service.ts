// Render as a short pipeline: validate → cache lookup (memory, then Redis) → load the misses
// from Postgres (coalesced per id) → refresh hot entries early in the background → cards in
// request order + missing.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { CachedLoader } from '@feedmesh/cache';
import type { FeedItem, MissingReason, RenderRequest, RenderResponseSchema } from '@feedmesh/contracts';
import { unavailable } from '@feedmesh/service-kit';
import type { Logger } from '@feedmesh/telemetry';
import type { CardCache } from './cache/card-cache.js';
import type { CardEntry } from './cache/card-entry.js';
import { shouldRefreshEarly } from './cache/early-refresh.js';
import type { CardLoader } from './card-loader.js';
import type { RenderTelemetry } from './render-metrics.js';
import { validateRenderRequest } from './request/validate-render-request.js';

export interface RenderServiceDeps {
  cache: CardCache;
  loader: CardLoader;
  telemetry: RenderTelemetry;
  /** XFetch window of the early refresh (0 disables it). */
  earlyRefreshWindowMs: number;
  logger: Logger;
}

type RenderResponseInit = MessageInitShape<typeof RenderResponseSchema>;

const NOTHING_LOADED: ReadonlyMap<string, CardEntry> = new Map();
/** Ids loading at once that a later call can join (beyond it they are loaded, just not joined). */
const MAX_JOINABLE_LOADS = 10_000;

export function createRenderService(deps: RenderServiceDeps) {
  // A miss of an id another call is already loading joins that load, so a hot card that expires
  // costs one Postgres read per process, not one per concurrent call. Nothing is kept here (TTL
  // 0): the loaded entries go to the card cache.
  const loads = new CachedLoader<string, CardEntry>({ loadBatch: (ids) => deps.loader.load(ids), maxEntries: MAX_JOINABLE_LOADS, ttlMs: 0 });
  const { cache, telemetry } = deps;

  return async function render(req: RenderRequest): Promise<RenderResponseInit> {
    const ids = validateRenderRequest(req);
    const traced = telemetry.tracesThisCall();
    const startedAtMs = traced ? Date.now() : 0;

    const lookup = cache.fromMemory(ids);
    if (lookup.misses.length > 0) await cache.fromRedis(lookup); // an all-memory call does not await
    const { entries, misses } = lookup;
    let loaded = NOTHING_LOADED;
    if (misses.length > 0) {
      try {
        loaded = await loads.loadMany(misses);
      } catch (error) {
        deps.logger.warn({ err: error, ids: misses.length }, 'loading items failed');
        throw unavailable(`loading ${misses.length} items failed`, { component: 'the item store', cause: error });
      }
    }
    refreshEarly(ids, entries);

    const items: FeedItem[] = [];
    // Missing ids are rare: their list and the set that reports a repeated one once are only
    // built when there is one.
    let missing: Array<{ itemId: string; reason: MissingReason }> | undefined;
    let missingReasons: MissingReason[] | undefined;
    let reported: Set<string> | undefined;
    let fromPostgres = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      let entry = entries[i];
      if (entry === undefined) {
        entry = loaded.get(id);
        if (entry === undefined) continue; // unreachable: the loader answers every id it is given
        fromPostgres++;
      }
      if (entry.type === 'card') {
        items.push(entry.item);
      } else if (!(reported ??= new Set()).has(id)) {
        reported.add(id);
        (missing ??= []).push({ itemId: id, reason: entry.reason });
        (missingReasons ??= []).push(entry.reason);
      }
    }
    telemetry.batchRendered(
      { items, loaded, missing: missingReasons ?? [], memoryHits: lookup.memoryHits, redisHits: lookup.redisHits, postgresHits: fromPostgres, startedAtMs },
      traced,
    );
    return { items, missing: missing ?? [] };
  };

  /**
   * Rebuilds cached entries nearing expiry without delaying this response (stampede guard, see
   * early-refresh.ts). Checked per position: an id repeated in one request gets two draws.
   */
  function refreshEarly(ids: readonly string[], cached: ReadonlyArray<CardEntry | undefined>): void {
    const windowMs = deps.earlyRefreshWindowMs;
    if (windowMs <= 0) return;
    const nowMs = Date.now();
    let due: string[] | undefined;
    for (let i = 0; i < ids.length; i++) {
      const entry = cached[i];
      if (entry !== undefined && shouldRefreshEarly(entry.expiresAtMs - nowMs, windowMs)) (due ??= []).push(ids[i]!);
    }
    if (due === undefined) return;
    const refresh = due;
    loads.loadMany(refresh).catch((error: unknown) => deps.logger.warn({ err: error, ids: refresh.length }, 'early card refresh failed'));
  }
}
