// An in-memory SessionStore with the Redis store's compare-and-set semantics, for unit tests
// of the paging rules (the Redis store itself is covered by the integration tests).
import { compareHlc } from '@feedmesh/feed-core';
import type { PageCommit, SessionStore, StoredSession } from '../src/paging/session-store.js';
import type { SkeletonEntry } from '../src/pipeline/skeleton-entry.js';

export class MemorySessionStore implements SessionStore {
  readonly sessions = new Map<string, StoredSession>();
  readonly servedIds = new Map<string, Set<string>>();
  readonly pages = new Map<string, SkeletonEntry[]>();
  touched = 0;

  async load(sessionId: string) {
    return this.sessions.get(sessionId);
  }

  async served(sessionId: string) {
    return [...(this.servedIds.get(sessionId) ?? [])];
  }

  async pageEntries(sessionId: string, page: number) {
    return this.pages.get(`${sessionId}:${page}`);
  }

  async commit({ session, expectedLastHlc, entries, window, alsoServed = [] }: PageCommit) {
    const current = this.sessions.get(session.sessionId);
    if (expectedLastHlc === undefined ? current !== undefined : !current || compareHlc(current.lastHlc, expectedLastHlc) !== 0) {
      return false;
    }
    const previousWindow = current?.window;
    const stored: StoredSession = { ...session };
    if (window.kind === 'replace') stored.window = window.window;
    else if (window.kind === 'advance' && previousWindow) stored.window = { ...previousWindow, position: window.position };
    this.sessions.set(session.sessionId, stored);
    this.pages.delete(`${session.sessionId}:${session.page - 1}`);
    this.pages.set(`${session.sessionId}:${session.page}`, entries);
    const served = this.servedIds.get(session.sessionId) ?? new Set();
    for (const e of entries) served.add(e.id);
    for (const id of alsoServed) served.add(id);
    this.servedIds.set(session.sessionId, served);
    return true;
  }

  async touch() {
    this.touched++;
  }
}
