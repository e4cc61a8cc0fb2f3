// Paging rules of GetFeed, kept free of I/O: which cursor does what, what the session looks like
// after a page, and when a page is the last one.
import { Code, ConnectError } from '@connectrpc/connect';
import {
  checkCursor,
  CursorError,
  decodeCursor,
  encodeCursor,
  type CursorPayload,
  type CursorSecrets,
  type Hlc,
} from '@feedmesh/feed-core';
import { invalidArgument } from '@feedmesh/service-kit';
import { defaultFeedId } from '../request/validate-request.js';
import type { StoredSession } from './session-store.js';

/** What a verified cursor asks for (no cursor at all opens a new session). */
export type PagingPlan =
  /** The latest cursor: serve the next page. */
  | { action: 'advance'; payload: CursorPayload; session: StoredSession }
  /** The cursor before the latest (a retry whose answer was lost): serve the latest page again. */
  | { action: 'replay'; payload: CursorPayload; session: StoredSession };

/**
 * Verifies the cursor's signature and that it pages `feedId` (a cursor issued before feeds could
 * be chosen pages the default feed); any unusable cursor is the caller's fault.
 */
export function readCursor(token: string, secrets: CursorSecrets, feedId: string, field: 'cursor' | 'newer_than' = 'cursor'): CursorPayload {
  let payload: CursorPayload;
  try {
    payload = decodeCursor(token, secrets);
  } catch (error) {
    if (error instanceof CursorError) throw invalidArgument(field, `${error.reason}: ${error.message}`);
    throw error;
  }
  const cursorFeed = payload.feedId === '' ? defaultFeedId : payload.feedId;
  if (cursorFeed !== feedId) {
    throw invalidArgument(field, `belongs to feed "${cursorFeed}", not "${feedId}": send it with the feed_id of its first page, or request this feed's first page`);
  }
  return payload;
}

/**
 * Maps feed-core's verdict to what to serve or which error: wrong user and lost sessions are
 * FailedPrecondition (start again from the first page), a superseded cursor is Aborted (another
 * tab or an old retry moved the session on; serving it would show a stale page).
 */
export function planPaging(
  payload: CursorPayload,
  session: StoredSession | undefined,
  userId: string,
  nowMs: number,
): PagingPlan {
  const verdict = checkCursor(payload, { userId, session, nowMs });
  if (verdict.ok) return { action: verdict.action, payload, session: session! };
  const messages = {
    wrong_user: 'cursor belongs to another user; request the first page',
    session_expired: 'paging session expired; request the first page',
    session_behind: 'paging session state was lost; request the first page',
    superseded: 'cursor was superseded by a newer page of this session; continue from the latest cursor',
  } as const;
  const code = verdict.code === 'aborted' ? Code.Aborted : Code.FailedPrecondition;
  throw new ConnectError(messages[verdict.reason], code);
}

export interface LastPageInput {
  /** The session's ranked list has nothing after this page. */
  exhausted: boolean;
  /** Number of the page just built (1-based). */
  page: number;
  maxPages: number;
}

/**
 * A page is the last when the session's ranked list ran dry or the session hit its page cap.
 * A page served short because a top-up failed is not the last: entries remain for the next one.
 */
export function isLastPage({ exhausted, page, maxPages }: LastPageInput): boolean {
  return exhausted || page >= maxPages;
}

export interface AdvanceInput {
  previous: StoredSession | undefined;
  sessionId: string;
  userId: string;
  feedId: string;
  snapshotMs: number;
  /** HLC of this page's cursor; must be after previous.lastHlc. */
  hlc: Hlc;
  served: number;
  last: boolean;
}

/** The session after serving one more page, with the next cursor it issues (empty when last). */
export function advanceSession(input: AdvanceInput, secrets: CursorSecrets): StoredSession {
  const { previous, sessionId, userId, feedId, snapshotMs, hlc, served, last } = input;
  const page = (previous?.page ?? 0) + 1;
  const servedCount = (previous?.servedCount ?? 0) + served;
  const nextCursor = last ? '' : encodeCursor({ sessionId, userId, feedId, hlc }, secrets);
  return {
    sessionId,
    userId,
    lastHlc: hlc,
    previousHlc: previous?.lastHlc,
    page,
    snapshotMs,
    servedCount,
    nextCursor,
  };
}
