// Paging policy for a verified cursor, kept pure so the aggregator only maps the verdict to
// an RPC code. The session is server-side state keyed by the cursor's sessionId.
import { compareHlc, type Hlc } from './hlc.js';
import type { CursorPayload } from './cursor.js';

export interface PagingSessionState {
  /** The user the session was opened for. */
  userId: string;
  /** HLC of the latest cursor issued in this session. */
  lastHlc: Hlc;
  /** HLC of the cursor issued before it, so a retried request can be served again. */
  previousHlc?: Hlc | undefined;
  /** When the session expires (Unix ms); absent when the store's TTL handles expiry. */
  expiresAtMs?: number | undefined;
}

export type CursorRejection =
  /** The cursor was issued to another user. */
  | 'wrong_user'
  /** The session is gone or expired: the client should start from the first page. */
  | 'session_expired'
  /** The cursor is newer than the session knows — the session state was lost or rolled back. */
  | 'session_behind'
  /** A newer cursor has been used since (another tab, an old retry): the page would be stale. */
  | 'superseded';

export type CursorVerdict =
  /** The latest cursor: serve the next page and advance the session. */
  | { ok: true; action: 'advance' }
  /** The cursor before the latest one: a retry whose response was lost; serve that page again. */
  | { ok: true; action: 'replay' }
  | { ok: false; reason: CursorRejection; code: CursorRejectionCode };

/** Connect/gRPC code names (as in `Code` of @connectrpc/connect, lower snake case). */
export type CursorRejectionCode = 'failed_precondition' | 'aborted';

export const cursorRejectionCodes: Readonly<Record<CursorRejection, CursorRejectionCode>> = {
  wrong_user: 'failed_precondition',
  session_expired: 'failed_precondition',
  session_behind: 'failed_precondition',
  superseded: 'aborted',
};

export interface CursorCheckContext {
  /** The authenticated user of the request. */
  userId: string;
  /** Session loaded by `payload.sessionId`; undefined when not found. */
  session: PagingSessionState | undefined;
  nowMs: number;
}

export function checkCursor(payload: CursorPayload, ctx: CursorCheckContext): CursorVerdict {
  const { session } = ctx;
  if (payload.userId !== ctx.userId) return reject('wrong_user');
  if (session === undefined || (session.expiresAtMs !== undefined && session.expiresAtMs <= ctx.nowMs)) {
    return reject('session_expired');
  }
  if (session.userId !== payload.userId) return reject('wrong_user');
  const vsLast = compareHlc(payload.hlc, session.lastHlc);
  if (vsLast === 0) return { ok: true, action: 'advance' };
  if (vsLast > 0) return reject('session_behind');
  if (session.previousHlc !== undefined && compareHlc(payload.hlc, session.previousHlc) === 0) {
    return { ok: true, action: 'replay' };
  }
  return reject('superseded');
}

function reject(reason: CursorRejection): CursorVerdict {
  return { ok: false, reason, code: cursorRejectionCodes[reason] };
}
