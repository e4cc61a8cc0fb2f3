// Render as a short pipeline: validate → cache lookup → load the misses from Postgres (coalesced
// per id) → refresh hot entries early in the background → cards in request order + missing.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { FeedItem, MissingReason, RenderRequest, RenderResponseSchema } from '@feedmesh/contracts';
import { unavailable } from '@feedmesh/service-kit';
import type { Logger } from '@feedmesh/telemetry';
import type { CardEntry } from './cache/card-entry.js';
import { shouldRefreshEarly } from './cache/early-refresh.js';
import type { RenderedCardCache } from './cache/rendered-card-cache.js';
import type { SingleFlight } from './cache/single-flight.js';
import type { CardLoader } from './card-loader.js';
import type { CardOutcome, RenderTelemetry } from './render-telemetry.js';
import { validateRenderRequest } from './validate-render-request.js';

export interface RenderHandlerDeps {
  cache: RenderedCardCache;
  loader: CardLoader;
  singleFlight: SingleFlight<CardEntry>;
  telemetry: RenderTelemetry;
  /** XFetch window of the early refresh (0 disables it). */
  earlyRefreshWindowMs: number;
  logger: Logger;
}

type RenderResponseInit = MessageInitShape<typeof RenderResponseSchema>;

export function createRenderHandler(deps: RenderHandlerDeps) {
  const load = (ids: string[]) => deps.loader.load(ids);

  return async function render(req: RenderRequest): Promise<RenderResponseInit> {
    const ids = validateRenderRequest(req);
    const startedAt = new Date();
    const unique = [...new Set(ids)];

    const cached = await deps.cache.getMany(unique);
    const misses = unique.filter((id) => !cached.has(id));
    let loaded = new Map<string, CardEntry>();
    if (misses.length > 0) {
      try {
        loaded = await deps.singleFlight.load(misses, load);
      } catch (error) {
        deps.logger.warn({ err: error, ids: misses.length }, 'loading items failed');
        throw unavailable('item store unavailable');
      }
    }
    refreshEarly(cached);

    const items: FeedItem[] = [];
    const missing: Array<{ itemId: string; reason: MissingReason }> = [];
    const outcomes: CardOutcome[] = [];
    const reported = new Set<string>();
    for (const id of ids) {
      const hit = cached.get(id);
      const entry = hit ?? loaded.get(id);
      if (entry === undefined) continue; // unreachable: the loader answers every id it is given
      if (entry.type === 'card') {
        items.push(entry.item);
        outcomes.push({ template: entry.item.template, loaded: hit === undefined });
      } else if (!reported.has(id)) {
        reported.add(id);
        missing.push({ itemId: id, reason: entry.reason });
      }
    }
    deps.telemetry.batchRendered(outcomes, missing.map((m) => m.reason), startedAt);
    return { items, missing };
  };

  /** Rebuilds entries nearing expiry without delaying this response (stampede guard, see early-refresh.ts). */
  function refreshEarly(cached: ReadonlyMap<string, CardEntry>): void {
    const nowMs = Date.now();
    const due: string[] = [];
    for (const [id, entry] of cached) {
      if (shouldRefreshEarly(entry.expiresAtMs - nowMs, deps.earlyRefreshWindowMs)) due.push(id);
    }
    if (due.length === 0) return;
    deps.singleFlight.load(due, load).catch((error: unknown) => deps.logger.warn({ err: error, ids: due.length }, 'early card refresh failed'));
  }
}
