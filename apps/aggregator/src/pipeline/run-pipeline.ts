// The one runner of declared feed pipelines: session → skeleton (build-skeleton.ts: the first
// source that serves the page, selectors, filters) → hydration → rules → paging → presentation.
// It times every stage and component (debug), traces each stage as `feed.aggregate.<stage>`, and
// leaves fail-open decisions to the components that own them (their identifier names the
// degraded reason).
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { GetFeedResponseSchema } from '@feedmesh/contracts';
import type { StageBudgets } from '@feedmesh/feed-core';
import { unavailable } from '@feedmesh/service-kit';
import { withUnusedTimeForRender } from '../request/stage-budgets.js';
import { failureCode } from '../downstream/failure-code.js';
import type { PagingSession } from '../paging/paging-session.js';
import type { StoredSession, WindowUpdate } from '../paging/session-store.js';
import type { FeedQuery } from '../request/validate-request.js';
import { buildSkeleton } from './build-skeleton.js';
import type { FeedPipeline, FeedRun } from './components.js';
import { presentation } from './presentation.js';
import { rules } from './rules.js';
import { runStage } from './run-stage.js';

export interface RunnerSettings {
  /** Ranked entries a fresh ranking keeps for the session's later pages. */
  rankWindow: number;
  /** Extra render round trips to refill a page after misses. */
  maxTopUps: number;
  /** What the unseen-first selector does with seen entries (SEEN_ITEMS). */
  seenItems: 'demote' | 'drop';
  /** Told about every page served (metrics: degraded reasons, stage budgets). */
  onPageServed?: (feed: string, run: FeedRun) => void;
}

export type FeedResponse = MessageInitShape<typeof GetFeedResponseSchema>;

export function createPipelineRunner(pipeline: FeedPipeline, paging: PagingSession, settings: RunnerSettings) {
  return async function servePage(query: FeedQuery, split: StageBudgets): Promise<FeedResponse> {
    const startedMs = performance.now();
    const { run, session, skeleton, filtered, selected, newer } = await buildSkeleton(pipeline, paging, settings, query, split);
    const timings = run.timings;

    const pageSize = skeleton.pageSize ?? query.pageSize;
    const budgets = withUnusedTimeForRender(split, performance.now() - startedMs);
    run.budgets = budgets;
    const hydrate = pipeline.hydrator(run);
    const firstWindow = await runStage('hydration', async (annotate) => {
      const window = filtered.kept.slice(0, pageSize);
      const hydrated = await run.time('render', budgets.renderMs, () => hydrate(window)).catch((error: unknown) => {
        throw unavailable(`render: ${failureCode(error)}; no page can be served without cards`, { component: 'render', cause: error });
      });
      annotate(() => ({ 'feed.requested': window.length, 'feed.rendered': hydrated.items.size, 'feed.missing': hydrated.missing.length }));
      return hydrated;
    });

    const served = await runStage('rules', async (annotate) => {
      const result = await rules({
        ranked: filtered.kept,
        pageSize,
        firstWindow,
        hydrate: (entries) => run.time('render.top_up', budgets.renderMs, () => hydrate(entries)),
        maxTopUps: skeleton.maxTopUps,
      });
      annotate(() => ({ 'feed.filled': result.items.length, 'feed.missing': result.missing.length, 'feed.top_ups': result.topUps }));
      return result;
    });
    if (served.topUpError !== undefined) run.degradedReasons.push(`render: ${failureCode(served.topUpError)}`);

    const stored = await runStage('paging', async (annotate) => {
      let next: StoredSession;
      if (session.action === 'replay') {
        next = await run.time('paging', 0, () => paging.replayed(session));
      } else {
        // Entries of the skeleton this page consumed (looked at: served or dropped as misses).
        const looked = filtered.kept.length - served.remaining;
        const consumed = looked === 0 ? 0 : filtered.keptAt[looked - 1]! + 1;
        const w = skeleton.window;
        // A newer page keeps no window: its filter skipped older entries the next page must still see.
        const window: WindowUpdate = newer
          ? { kind: 'drop' }
          : w.kind === 'from-window'
            ? { kind: 'advance', position: w.base + consumed }
            : w.kind === 'ranked'
              ? { kind: 'replace', window: { ...w.window, position: consumed } }
              : { kind: 'drop' };
        const final = w.kind === 'none' || (w.kind === 'ranked' ? w.window.final : session.previous!.window!.final);
        const exhausted = newer === undefined && final && served.remaining === 0;
        next = await run.time('paging', 0, () => paging.commit(session, query.userId, { entries: served.entries, exhausted, window }));
      }
      annotate(() => ({ 'feed.session_id': session.sessionId, 'feed.page': next.page, 'feed.last_page': next.nextCursor === '' }));
      return next;
    });

    settings.onPageServed?.(pipeline.identifier, run);
    return runStage('presentation', async (annotate) => {
      annotate(() => ({ 'feed.items': served.items.length, 'feed.degraded': run.degradedReasons.length > 0 }));
      return presentation({
        items: served.items,
        nextCursor: stored.nextCursor,
        degradedReasons: run.degradedReasons,
        ...(query.debug
          ? {
              debug: {
                timings,
                sources: skeleton.sources,
                breakdowns: skeleton.breakdowns,
                modelVersion: skeleton.modelVersion,
                sessionId: session.sessionId,
                filters: [
                  ...Object.entries(selected?.dropped ?? {})
                    .filter(([, removed]) => removed > 0)
                    .map(([filter, removed]) => ({ filter, removed })),
                  ...Object.entries(filtered.removed).map(([filter, removed]) => ({ filter, removed: removed.length })),
                ],
              },
            }
          : {}),
      });
    });
  };
}
