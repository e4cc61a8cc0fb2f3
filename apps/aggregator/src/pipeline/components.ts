// The shapes of the components a feed pipeline declares (feeds/home-feed.ts). Each component is
// one file with an `identifier`, which names it in spans, stage timings, debug output, metrics
// and degraded reasons ("ranking: unavailable").
import type { ScoreBreakdown, SourceStats } from '@feedmesh/contracts';
import type { StageBudgets } from '@feedmesh/feed-core';
import type { ViewerPreferences, ViewerState, ViewerStateWants } from '@feedmesh/storage';
import type { ResumedSession } from '../paging/paging-session.js';
import type { RankedWindow } from '../paging/session-store.js';
import type { FeedQuery } from '../request/validate-request.js';
import type { RecallSource } from '../sources/recall-source.js';
import type { Hydrate } from './hydration.js';
import type { SkeletonEntry } from './skeleton-entry.js';
import type { StageTimingRecord } from './stage-timing.js';

export interface Component {
  readonly identifier: string;
}

/** One GetFeed request as it moves through the pipeline. */
export interface FeedRun {
  query: FeedQuery;
  budgets: StageBudgets;
  timings: StageTimingRecord[];
  /** "ranking: unavailable"-style reasons; the page is degraded when any is set. */
  degradedReasons: string[];
  /** Times one component's call into the debug timings (its identifier is the stage name). */
  time<T>(identifier: string, budgetMs: number, fn: () => Promise<T>): Promise<T>;
}

/** What a skeleton source may read of the page being built. */
export interface PageRequest {
  run: FeedRun;
  session: ResumedSession;
  /** Ranked entries worth asking for: the page, its top-up reserve, and the window ahead. */
  rankLimit: number;
  /** Entries a page needs in hand to be served without ranking again. */
  pageNeed: number;
}

/** How the session's ranked window moves with this page. */
export type WindowPlan =
  /** Entries came from the stored window, starting at `base`. */
  | { kind: 'from-window'; base: number }
  /** A fresh ranking, to be stored (its position is set when the page commits). */
  | { kind: 'ranked'; window: Omit<RankedWindow, 'position'> }
  /** A fallback ranking or a replay: store no window. */
  | { kind: 'none' };

export interface Skeleton {
  /** Ranked entries, best first. */
  entries: SkeletonEntry[];
  window: WindowPlan;
  /** Render top-ups allowed for this page (0 for a replay: it shows what it showed). */
  maxTopUps: number;
  /** Entries the page shows, when the source decides (a replay: exactly the stored page). */
  pageSize?: number;
  /** The component that ranked the entries ("ranking", "newest-first", "session-window", "replay"). */
  rankedBy: string;
  candidateCount: number;
  sources: SourceStats[];
  breakdowns: ScoreBreakdown[];
  modelVersion: string;
  /** The candidate block recall answered with (a fresh ranking), for ExplainFeedItem: no copy. */
  recalled?: Uint8Array;
}

/** Where a page's ranked entries come from: the first source of the pipeline that `serves` the page runs. */
export interface SkeletonSource extends Component {
  /** The source ranks afresh (not a stored window, not a replay): the pipeline's selectors reorder its entries, and the viewer's seen set is read for it. */
  readonly ranksAfresh?: boolean;
  serves(page: PageRequest): boolean;
  fetch(page: PageRequest): Promise<Skeleton>;
}

/** What the filters know about the session; `served` only when the page ranked afresh (see already-served-filter.ts). */
export interface FilterContext {
  snapshotMs: number;
  served: ReadonlySet<string> | undefined;
  /** The viewer's blocks, mutes and "show less" marks in effect now (read on every page). */
  preferences: ViewerPreferences;
  /** A newer page or a count: only what was created after this instant (the old session's snapshot). */
  newerThanMs?: number;
}

/** Drops entries that must not be served; pure, cheapest first in the pipeline. */
export interface EntryFilter extends Component {
  keep(entry: SkeletonEntry, context: FilterContext): boolean;
}

/** What the selectors know: the viewer's state read beside the skeleton, and the product setting. */
export interface SelectorContext {
  preferences: ViewerPreferences;
  /** Items the viewer saw (VIEW) whose mark is in effect. */
  seen: ReadonlySet<string>;
  /** Items of the topics the viewer marked "show less" (their recent zsets; read only when marked). */
  lessTopicItems: ReadonlySet<string>;
  /** SEEN_ITEMS: seen entries go behind the unseen ones (demote) or out (drop, down to `minKeep`). */
  seenItems: 'demote' | 'drop';
  /** Entries a page needs: a selector that drops keeps at least this many. */
  minKeep: number;
}

/**
 * Reorders a FRESH ranking for the viewer before its window is stored with the session (so the
 * session's later pages keep the order): pure; the new order as indexes into `entries` (a subset
 * when it drops), or undefined when it moves nothing.
 */
export interface EntrySelector extends Component {
  order(entries: ReadonlyArray<{ readonly id: string; readonly authorId: string }>, context: SelectorContext): number[] | undefined;
}

export interface FeedPipeline {
  readonly identifier: string;
  /** Tried in order: the first that serves the page builds its skeleton. */
  readonly sources: readonly SkeletonSource[];
  readonly filters: readonly EntryFilter[];
  /**
   * The viewer's preferences (the filters apply them: read for every page, so a block or mute
   * applies to the next page) and, when `wants.seen`, seen set, in ONE read: what the selectors
   * need costs no extra round trip.
   */
  viewerState(userId: string, nowMs: number, wants: ViewerStateWants): Promise<ViewerState>;
  /** The feed's candidates (its sources use it; CountNewItems counts what it recalls). */
  readonly recall: RecallSource;
  /** Run in order over a fresh ranking (sources with `ranksAfresh`), before its window is stored. */
  readonly selectors?: readonly EntrySelector[];
  /** The items of these topics, for the selectors' topic marks (a hint: unread, nothing moves). */
  topicItems?(topics: ReadonlySet<string>): Promise<ReadonlySet<string>>;
  /** Ids → cards for one request (render). */
  hydrator(run: FeedRun): Hydrate;
}
