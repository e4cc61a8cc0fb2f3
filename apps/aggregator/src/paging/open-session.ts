import { randomUUID } from 'node:crypto';
import type { CursorPayload, CursorSecrets } from '@feedmesh/feed-core';
import { invalidArgument, unavailable } from '@feedmesh/service-kit';
import type { UserLookup } from '../users/user-directory.js';
import { planPaging, readCursor } from './paging-policy.js';
import type { SessionStore, StoredSession } from './session-store.js';

/** Where this request stands in its paging session. */
export type SessionPlan =
  | {
      action: 'open' | 'advance';
      sessionId: string;
      snapshotMs: number;
      /** The session before this page; undefined when the page opens it. */
      previous: StoredSession | undefined;
      served: ReadonlySet<string>;
    }
  | { action: 'replay'; sessionId: string; payload: CursorPayload; session: StoredSession };

export interface OpenSessionDeps {
  users: UserLookup;
  sessions: SessionStore;
  secrets: CursorSecrets;
  now?: () => number;
  newSessionId?: () => string;
}

/**
 * Checks the cursor (signature first, no I/O), the user, then the session; returns the plan
 * or throws the RPC error for the client. `degradedReasons` collects a users-table outage,
 * which fails open: a user with a valid cursor or a timeline is still served.
 */
export async function openSession(
  query: { userId: string; cursor: string },
  deps: OpenSessionDeps,
  degradedReasons: string[],
): Promise<SessionPlan> {
  const now = deps.now ?? Date.now;
  const payload = query.cursor === '' ? undefined : readCursor(query.cursor, deps.secrets);

  // A signed cursor of this user proves the check passed when its session opened: later pages
  // skip the users query.
  let known = payload !== undefined && payload.userId === query.userId;
  if (!known) {
    try {
      known = await deps.users.exists(query.userId);
    } catch {
      known = true;
      degradedReasons.push('users: unavailable');
    }
  }
  if (!known) throw invalidArgument('user_id', `unknown user ${JSON.stringify(query.userId)}`);

  if (payload === undefined) {
    const sessionId = (deps.newSessionId ?? randomUUID)();
    return { action: 'open', sessionId, snapshotMs: now(), previous: undefined, served: new Set() };
  }
  const session = await storeCall(() => deps.sessions.load(payload.sessionId));
  const plan = planPaging(payload, session, query.userId, now());
  if (plan.action === 'replay') return { action: 'replay', sessionId: payload.sessionId, payload, session: plan.session };
  const served = await storeCall(() => deps.sessions.served(payload.sessionId));
  return {
    action: 'advance',
    sessionId: payload.sessionId,
    snapshotMs: plan.session.snapshotMs,
    previous: plan.session,
    served: new Set(served),
  };
}

/** The session store is required for paging; its outage is the service's, not the caller's. */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw unavailable(`paging session store: ${(error as Error).message}`);
  }
}
