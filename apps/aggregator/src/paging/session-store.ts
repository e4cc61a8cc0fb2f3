import type { Hlc, PagingSessionState } from '@feedmesh/feed-core';
import type { SkeletonEntry } from '../pipeline/skeleton-entry.js';

/**
 * The ranked list a session pages through: one ranking call's answer (an encoded RankedBlock)
 * and how far the pages have consumed it, so a later page is a session read plus render and
 * ranking runs again only when the window runs out.
 */
export interface RankedWindow {
  /** An encoded feedmesh.ranking.v1.RankedBlock. */
  block: Uint8Array;
  /** Entries in the block. */
  size: number;
  /** Entries of the block consumed by earlier pages (served or dropped as render misses). */
  position: number;
  /** The ranking had no more candidates than the block holds: nothing lies beyond it. */
  final: boolean;
  modelVersion: string;
  /** Score breakdowns (ScoreBreakdown JSON) when the ranking call was a debug one. */
  breakdownsJson?: string;
}

/** Server-side state of one paging session (feed-core's PagingSessionState plus bookkeeping). */
export interface StoredSession extends PagingSessionState {
  sessionId: string;
  /** Pages served so far. */
  page: number;
  /** Items created after this instant are excluded for the whole session. */
  snapshotMs: number;
  /** Items served so far (the size of the served set). */
  servedCount: number;
  /** The next cursor issued with the latest page; empty when that page was the last. */
  nextCursor: string;
  /** The ranked window of the session, when the latest ranking was stored. */
  window?: RankedWindow;
}

/** What a page does to the session's ranked window. */
export type WindowUpdate =
  /** The page came from the window: only its position moves. */
  | { kind: 'advance'; position: number }
  /** The page ranked afresh: store the new window (position = entries this page consumed). */
  | { kind: 'replace'; window: RankedWindow }
  /** The page was ranked by a fallback: keep no window, so the next page ranks again. */
  | { kind: 'drop' };

/** One page being committed: the session after it, and what the page held. */
export interface PageCommit {
  session: StoredSession;
  /** The session's lastHlc before this page; undefined when the page opens the session. */
  expectedLastHlc: Hlc | undefined;
  /** Entries of the page just served, stored under its page number for replays. */
  entries: SkeletonEntry[];
  window: WindowUpdate;
  /** More ids for the served set: what the session a newer page continues had served. */
  alsoServed?: readonly string[];
}

/**
 * Where paging sessions live. Redis in production; the interface keeps the paging rules
 * testable without it.
 */
export interface SessionStore {
  load(sessionId: string): Promise<StoredSession | undefined>;
  /** Ids served so far in the session. */
  served(sessionId: string): Promise<string[]>;
  /** Entries stored for one page (only the latest page is kept). */
  pageEntries(sessionId: string, page: number): Promise<SkeletonEntry[] | undefined>;
  /**
   * Stores the page atomically if the session's lastHlc is still `expectedLastHlc` (or the
   * session does not exist yet when it is undefined). False means another request advanced the
   * session first.
   */
  commit(commit: PageCommit): Promise<boolean>;
  /** Extends the session's lifetime (it is used, e.g. by a replay). */
  touch(sessionId: string): Promise<void>;
}
