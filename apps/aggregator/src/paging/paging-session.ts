// The paging module: where a request stands in its paging session (resume) and how a served page
// moves it on (commit). Cursor rules are in paging-policy.ts (pure); state in a SessionStore.
import { randomUUID } from 'node:crypto';
import { Code, ConnectError } from '@connectrpc/connect';
import type { CursorSecrets, HybridLogicalClock } from '@feedmesh/feed-core';
import { unavailable } from '@feedmesh/service-kit';
import type { SkeletonEntry } from '../pipeline/skeleton-entry.js';
import type { UserLookup } from '../users/user-directory.js';
import { advanceSession, isLastPage, planPaging, readCursor } from './paging-policy.js';
import type { SessionStore, StoredSession, WindowUpdate } from './session-store.js';

/** Where this request stands in its paging session. */
export type ResumedSession =
  | {
      action: 'open' | 'advance';
      sessionId: string;
      /** The feed the session pages (the cursor's, checked against the request's). */
      feedId: string;
      snapshotMs: number;
      /** The session before this page; undefined when the page opens it. */
      previous: StoredSession | undefined;
      /**
       * A newer page (newer_than): the snapshot of the session it continues — the page shows only
       * items created after it — and that session's served ids, which the new session inherits.
       */
      newer?: { sinceMs: number; inherited: ReadonlySet<string> };
      /** Ids served so far, read from the store on first use (only a page that ranks afresh needs them). */
      served(): Promise<ReadonlySet<string>>;
    }
  | { action: 'replay'; sessionId: string; snapshotMs: number; session: StoredSession };

export interface PagingSessionDeps {
  users: UserLookup;
  sessions: SessionStore;
  secrets: CursorSecrets;
  clock: HybridLogicalClock;
  maxPages: number;
  /** Told about a failed users lookup (the page is then served degraded). */
  onUserLookupError?: (error: unknown) => void;
  now?: () => number;
  newSessionId?: () => string;
}

export interface PageToCommit {
  /** Entries of the page as served (stored for a replay). */
  entries: SkeletonEntry[];
  /** The ranked list has nothing after this page. */
  exhausted: boolean;
  window: WindowUpdate;
}

export class PagingSession {
  private readonly now: () => number;
  private readonly newSessionId: () => string;

  constructor(private readonly deps: PagingSessionDeps) {
    this.now = deps.now ?? Date.now;
    this.newSessionId = deps.newSessionId ?? randomUUID;
  }

  /**
   * Checks the cursor (signature first, no I/O), the user, then the session; returns where the
   * request stands or throws the RPC error for the client.
   */
  async resume(query: { userId: string; feedId: string; cursor: string; newerThan: string }, degradedReasons: string[]): Promise<ResumedSession> {
    if (query.newerThan !== '') return this.openNewer(query);
    const payload = query.cursor === '' ? undefined : readCursor(query.cursor, this.deps.secrets, query.feedId);
    const stored = payload === undefined ? undefined : await storeCall(() => this.deps.sessions.load(payload.sessionId));
    // A session is stored only after its first page passed the users check, so a stored session
    // of this user proves it and later pages skip the lookup. A valid signature alone proves
    // nothing about the user: whoever holds the key can sign any payload.
    if (stored?.userId !== query.userId) await this.checkUser(query.userId, degradedReasons);
    if (payload === undefined) {
      return { action: 'open', sessionId: this.newSessionId(), feedId: query.feedId, snapshotMs: this.now(), previous: undefined, served: async () => new Set() };
    }
    const plan = planPaging(payload, stored, query.userId, this.now());
    if (plan.action === 'replay') return { action: 'replay', sessionId: payload.sessionId, snapshotMs: plan.session.snapshotMs, session: plan.session };
    let served: Promise<ReadonlySet<string>> | undefined;
    return {
      action: 'advance',
      sessionId: payload.sessionId,
      feedId: query.feedId,
      snapshotMs: plan.session.snapshotMs,
      previous: plan.session,
      served: () => (served ??= storeCall(() => this.deps.sessions.served(payload.sessionId)).then((ids) => new Set(ids))),
    };
  }

  /**
   * The session any of whose cursors `token` is (not only the latest: a count or a newer page
   * moves nothing), of this user and feed; FailedPrecondition when it is gone.
   */
  async peek(query: { userId: string; feedId: string }, token: string, field: 'cursor' | 'newer_than'): Promise<StoredSession> {
    const payload = readCursor(token, this.deps.secrets, query.feedId, field);
    if (payload.userId !== query.userId) throw new ConnectError(`${field}: belongs to another user; request the first page`, Code.FailedPrecondition);
    const stored = await storeCall(() => this.deps.sessions.load(payload.sessionId));
    if (stored === undefined || stored.userId !== query.userId) throw new ConnectError(`${field}: paging session expired; request the first page`, Code.FailedPrecondition);
    return stored;
  }

  /** The ids a session served (any of its pages'). */
  async servedIds(sessionId: string): Promise<ReadonlySet<string>> {
    return new Set(await storeCall(() => this.deps.sessions.served(sessionId)));
  }

  /** A newer page opens a new session that inherits the old one's served set (its user is proven by it). */
  private async openNewer(query: { userId: string; feedId: string; newerThan: string }): Promise<ResumedSession> {
    const base = await this.peek(query, query.newerThan, 'newer_than');
    const inherited = await this.servedIds(base.sessionId);
    return {
      action: 'open',
      sessionId: this.newSessionId(),
      feedId: query.feedId,
      snapshotMs: this.now(),
      previous: undefined,
      newer: { sinceMs: base.snapshotMs, inherited },
      served: async () => inherited,
    };
  }

  /**
   * NotFound for a user the store does not have. The id is well-formed (validateRequest), so a
   * failed lookup is the store's outage: the page is served (fail open) and marked degraded.
   */
  private async checkUser(userId: string, degradedReasons: string[]): Promise<void> {
    let known: boolean;
    try {
      known = await this.deps.users.exists(userId);
    } catch (error) {
      this.deps.onUserLookupError?.(error);
      degradedReasons.push('users: unavailable');
      return;
    }
    if (!known) throw new ConnectError(`user_id: no user ${JSON.stringify(userId)}`, Code.NotFound);
  }

  /** Stores the page and advances the session; a lost race means the cursor was superseded. */
  async commit(resumed: Extract<ResumedSession, { action: 'open' | 'advance' }>, userId: string, page: PageToCommit): Promise<StoredSession> {
    const { previous } = resumed;
    // receive() orders this cursor after the session's latest even if another replica's clock
    // ran ahead of ours.
    const hlc = previous ? this.deps.clock.receive(previous.lastHlc) : this.deps.clock.tick();
    const pageNumber = (previous?.page ?? 0) + 1;
    const last = isLastPage({ exhausted: page.exhausted, page: pageNumber, maxPages: this.deps.maxPages });
    const inherited = resumed.newer ? [...resumed.newer.inherited] : [];
    const session = advanceSession(
      { previous, sessionId: resumed.sessionId, userId, feedId: resumed.feedId, snapshotMs: resumed.snapshotMs, hlc, served: page.entries.length + inherited.length, last },
      this.deps.secrets,
    );
    const committed = await storeCall(() =>
      this.deps.sessions.commit({ session, expectedLastHlc: previous?.lastHlc, entries: page.entries, window: page.window, alsoServed: inherited }),
    );
    if (!committed) throw new ConnectError('cursor was superseded by a concurrent request of this session', Code.Aborted);
    return session;
  }

  /** A replay serves the stored page again and moves nothing; the session stays alive. */
  async replayed(resumed: Extract<ResumedSession, { action: 'replay' }>): Promise<StoredSession> {
    await storeCall(() => this.deps.sessions.touch(resumed.sessionId));
    return resumed.session;
  }

  /** The entries of the page a replay serves again. */
  async replayEntries(resumed: Extract<ResumedSession, { action: 'replay' }>): Promise<SkeletonEntry[]> {
    const entries = await storeCall(() => this.deps.sessions.pageEntries(resumed.sessionId, resumed.session.page));
    if (entries === undefined) throw new ConnectError('the page to replay is no longer stored; request the first page', Code.FailedPrecondition);
    return entries;
  }
}

/** The session store is required for paging; its outage is the service's, not the caller's. */
export async function storeCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw unavailable(`paging session store: ${(error as Error).message}`, { component: 'paging session store', cause: error });
  }
}
