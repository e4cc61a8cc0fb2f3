// Render as a short pipeline: validate → cache lookup (memory, then Redis) → load the misses
// from Postgres (coalesced per id) → refresh hot entries early in the background → cards in
// request order + missing.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { FeedItem, MissingReason, RenderRequest, RenderResponseSchema } from '@feedmesh/contracts';
import { unavailable } from '@feedmesh/service-kit';
import type { Logger } from '@feedmesh/telemetry';
import type { CardCache } from './cache/card-cache.js';
import type { CardEntry } from './cache/card-entry.js';
import { shouldRefreshEarly } from './cache/early-refresh.js';
import type { SingleFlight } from './cache/single-flight.js';
import type { CardLoader } from './card-loader.js';
import type { RenderTelemetry } from './render-telemetry.js';
import { validateRenderRequest } from './validate-render-request.js';

export interface RenderHandlerDeps {
  cache: CardCache;
  loader: CardLoader;
  singleFlight: SingleFlight<CardEntry>;
  telemetry: RenderTelemetry;
  /** XFetch window of the early refresh (0 disables it). */
  earlyRefreshWindowMs: number;
  logger: Logger;
}

type RenderResponseInit = MessageInitShape<typeof RenderResponseSchema>;

const NOTHING_LOADED: ReadonlyMap<string, CardEntry> = new Map();

export function createRenderHandler(deps: RenderHandlerDeps) {
  const load = (ids: string[]) => deps.loader.load(ids);
  const { cache, telemetry } = deps;

  return async function render(req: RenderRequest): Promise<RenderResponseInit> {
    const ids = validateRenderRequest(req);
    const traced = telemetry.tracesThisCall();
    const startedAtMs = traced ? Date.now() : 0;

    const { hits, misses, memoryHits, redisHits } = await cache.getMany(ids);
    let loaded = NOTHING_LOADED;
    if (misses.length > 0) {
      try {
        loaded = await deps.singleFlight.load(misses, load);
      } catch (error) {
        deps.logger.warn({ err: error, ids: misses.length }, 'loading items failed');
        throw unavailable('item store unavailable');
      }
    }
    refreshEarly(hits);

    const items: FeedItem[] = [];
    // Missing ids are rare: their list and the set that reports a repeated one once are only
    // built when there is one.
    let missing: Array<{ itemId: string; reason: MissingReason }> | undefined;
    let missingReasons: MissingReason[] | undefined;
    let reported: Set<string> | undefined;
    for (const id of ids) {
      const entry = hits.get(id) ?? loaded.get(id);
      if (entry === undefined) continue; // unreachable: the loader answers every id it is given
      if (entry.type === 'card') {
        items.push(entry.item);
      } else if (!(reported ??= new Set()).has(id)) {
        reported.add(id);
        (missing ??= []).push({ itemId: id, reason: entry.reason });
        (missingReasons ??= []).push(entry.reason);
      }
    }
    telemetry.batchRendered(
      { items, cached: hits, missing: missingReasons ?? [], memoryHits, redisHits, loaded: misses.length, startedAtMs },
      traced,
    );
    return { items, missing: missing ?? [] };
  };

  /** Rebuilds entries nearing expiry without delaying this response (stampede guard, see early-refresh.ts). */
  function refreshEarly(cached: ReadonlyMap<string, CardEntry>): void {
    const windowMs = deps.earlyRefreshWindowMs;
    if (windowMs <= 0) return;
    const nowMs = Date.now();
    let due: string[] | undefined;
    for (const [id, entry] of cached) {
      if (shouldRefreshEarly(entry.expiresAtMs - nowMs, windowMs)) (due ??= []).push(id);
    }
    if (due === undefined) return;
    const ids = due;
    deps.singleFlight.load(ids, load).catch((error: unknown) => deps.logger.warn({ err: error, ids: ids.length }, 'early card refresh failed'));
  }
}
