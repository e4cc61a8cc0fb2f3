import type { Hlc, PagingSessionState } from '@feedmesh/feed-core';
import type { SkeletonEntry } from '../pipeline/skeleton-entry.js';

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
}

/** One page being committed: the session after it, and what the page held. */
export interface PageCommit {
  session: StoredSession;
  /** The session's lastHlc before this page; undefined when the page opens the session. */
  expectedLastHlc: Hlc | undefined;
  /** Entries of the page just served, stored under its page number for replays. */
  entries: SkeletonEntry[];
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
