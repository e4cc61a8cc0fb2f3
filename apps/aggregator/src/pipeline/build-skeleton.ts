// The first two stages of every page, shared by GetFeed and ExplainFeedItem: the session (resume,
// no write) and the skeleton (the first source that serves the page, the viewer's state read
// beside it, the selectors over a fresh ranking, then the filters). Nothing here commits.
import type { StageBudgets } from '@feedmesh/feed-core';
import { unavailable } from '@feedmesh/service-kit';
import { failureCode } from '../downstream/failure-code.js';
import { applyFilters } from '../filters/apply-filters.js';
import type { ViewerState, ViewerStateWants } from '@feedmesh/storage';
import type { PagingSession } from '../paging/paging-session.js';
import type { FeedQuery } from '../request/validate-request.js';
import { applySelectors } from '../selectors/apply-selectors.js';
import type { FeedPipeline, FeedRun, FilterContext, PageRequest } from './components.js';
import type { RunnerSettings } from './run-pipeline.js';
import { runStage } from './run-stage.js';
import { timed, type StageTimingRecord } from './stage-timing.js';

const NO_ITEMS: ReadonlySet<string> = new Set();

/** One request's run: its query, budgets, stage timings and degraded reasons. */
export function newFeedRun(query: FeedQuery, budgets: StageBudgets): FeedRun {
  const timings: StageTimingRecord[] = [];
  return { query, budgets, timings, degradedReasons: [], time: (identifier, budgetMs, fn) => timed(timings, identifier, budgetMs, fn) };
}

/**
 * The viewer's state (timed as `viewer-preferences`). No fail-open: a page that may show a
 * blocked user's items is worse than no page, so a failed read is Unavailable.
 */
export function readViewer(pipeline: FeedPipeline, run: FeedRun, wants: ViewerStateWants): Promise<ViewerState> {
  return run.time('viewer-preferences', 0, () => pipeline.viewerState(run.query.userId, Date.now(), wants)).catch((error: unknown) => {
    throw unavailable(`viewer-preferences: ${failureCode(error)}; blocks and mutes cannot be applied`, { component: 'viewer-preferences', cause: error });
  });
}

export async function buildSkeleton(pipeline: FeedPipeline, paging: PagingSession, settings: RunnerSettings, query: FeedQuery, split: StageBudgets) {
  const run = newFeedRun(query, split);
  const timings = run.timings;

  const session = await runStage('session', async (annotate) => {
    const resumed = await run.time('session', 0, () => paging.resume(query, run.degradedReasons));
    annotate(() => ({ 'feed.session_id': resumed.sessionId, 'feed.paging_action': resumed.action, 'feed.first_page': query.cursor === '' }));
    return resumed;
  });

  const pageNeed = query.pageSize * (settings.maxTopUps + 1) + 1;
  const page: PageRequest = { run, session, pageNeed, rankLimit: Math.max(settings.rankWindow, pageNeed) };
  // A newer page (newer_than) shows only what is newer than the session it continues.
  const newer = session.action === 'open' ? session.newer : undefined;
  const built = await runStage('skeleton', async (annotate) => {
    const source = pipeline.sources.find((s) => s.serves(page));
    if (source === undefined) throw new Error(`no source of pipeline ${pipeline.identifier} serves this page`);
    const selectors = source.ranksAfresh === true && session.action !== 'replay' ? (pipeline.selectors ?? []) : [];
    // Read beside the skeleton, not after it: the preferences, and for a fresh ranking the seen
    // set, in one pipeline (one round trip). The seen set is a hint: unread, the page is served
    // in ranked order, degraded.
    const state = readViewer(pipeline, run, { seen: selectors.length > 0 });
    // A viewer with "show less" topics: those topics' items, read as soon as the marks are known
    // (beside the ranking, not after it). A hint like the seen set: unread, nothing moves.
    const topicItems = state.then((viewer) => {
      const topics = viewer.preferences.lessTopics;
      if (selectors.length === 0 || topics.size === 0 || pipeline.topicItems === undefined) return NO_ITEMS;
      return run.time('viewer-topics', 0, () => pipeline.topicItems!(topics)).catch((error: unknown) => {
        run.degradedReasons.push(`viewer-topics: ${failureCode(error)}`);
        return NO_ITEMS;
      });
    });
    const [fetched, viewer, lessTopicItems] = await Promise.all([source.fetch(page), state, topicItems]);
    if ('seenError' in viewer && viewer.seenError !== undefined) run.degradedReasons.push(`viewer-seen: ${failureCode(viewer.seenError)}`);
    let sk = fetched;
    let picked: ReturnType<typeof applySelectors> | undefined;
    if (selectors.length > 0 && sk.entries.length > 0) {
      picked = applySelectors(sk, selectors, { preferences: viewer.preferences, seen: viewer.seen, lessTopicItems, seenItems: settings.seenItems, minKeep: pageNeed });
      for (const [stage, ms] of Object.entries(picked.spentMs)) timings.push({ stage, durationMs: Math.round(ms * 100) / 100, budgetMs: 0 });
      sk = picked.skeleton;
    }
    // The served set only matters to a fresh ranking (already loaded for recall's exclusion).
    const served = sk.window.kind !== 'from-window' && session.action !== 'replay' ? await session.served() : undefined;
    const context: FilterContext = {
      snapshotMs: session.snapshotMs,
      served,
      preferences: viewer.preferences,
      ...(newer ? { newerThanMs: newer.sinceMs } : {}),
    };
    const result = applyFilters(sk.entries, pipeline.filters, context);
    annotate(() => ({
      'feed.source': source.identifier,
      'feed.ranked_by': sk.rankedBy,
      'feed.candidates': sk.candidateCount,
      'feed.ranked': sk.entries.length,
      'feed.seen': viewer.seen.size,
      ...Object.fromEntries(Object.entries(picked?.moved ?? {}).map(([id, moved]) => [`feed.moved.${id}`, moved])),
      ...Object.fromEntries(Object.entries(picked?.dropped ?? {}).map(([id, dropped]) => [`feed.removed.${id}`, dropped])),
      ...Object.fromEntries(Object.entries(result.removed).map(([id, removed]) => [`feed.removed.${id}`, removed.length])),
      'model.version': sk.modelVersion,
    }));
    return { source, fetched, skeleton: sk, filtered: result, selected: picked, filterContext: context };
  });

  return { run, session, page, newer, ...built };
}

export type BuiltSkeleton = Awaited<ReturnType<typeof buildSkeleton>>;
