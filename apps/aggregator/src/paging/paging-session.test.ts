import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../test/memory-session-store.js';
import { entry } from '../../test/unit-fixtures.js';
import { encodeCursor, HybridLogicalClock } from '@feedmesh/feed-core';
import { PagingSession } from './paging-session.js';

const secrets = ['0123456789abcdef-secret'];
const users = { exists: async (id: string) => id.startsWith('u') };

async function errorCode(promise: Promise<unknown>): Promise<Code | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof ConnectError ? error.code : undefined;
  }
  return undefined;
}

const paging = (store: MemorySessionStore, overrides: Partial<ConstructorParameters<typeof PagingSession>[0]> = {}) =>
  new PagingSession({ users, sessions: store, secrets, clock: new HybridLogicalClock(), maxPages: 50, now: () => 1_000, newSessionId: () => 'sess', ...overrides });

/** Serves pages the way the pipeline runner does, against the memory store. */
async function servePage(store: MemorySessionStore, cursor: string, ids: string[]) {
  const sessions = paging(store);
  const plan = await sessions.resume({ userId: 'u1', feedId: 'for-you', cursor, newerThan: '' }, []);
  if (plan.action === 'replay') throw new Error('unexpected replay');
  const session = await sessions.commit(plan, 'u1', { entries: ids.map((id) => entry(id)), exhausted: false, window: { kind: 'drop' } });
  return { plan, cursor: session.nextCursor };
}

describe('PagingSession.resume', () => {
  it('opens a session with a snapshot, then advances with the served set of earlier pages', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a', 'b']);
    expect(p1.plan).toMatchObject({ action: 'open', sessionId: 'sess', snapshotMs: 1_000 });
    const p2 = await paging(store).resume({ userId: 'u1', feedId: 'for-you', cursor: p1.cursor, newerThan: '' }, []);
    expect(p2.action).toBe('advance');
    if (p2.action !== 'advance') return;
    expect([...(await p2.served())]).toEqual(['a', 'b']);
    expect(p2.snapshotMs).toBe(1_000);
  });

  it('replays the previous cursor, rejects older ones as Aborted and lost sessions as FailedPrecondition', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a']);
    const p2 = await servePage(store, p1.cursor, ['b']);
    await servePage(store, p2.cursor, ['c']);
    const sessions = paging(store);
    const replay = await sessions.resume({ userId: 'u1', feedId: 'for-you', cursor: p2.cursor, newerThan: '' }, []);
    expect(replay.action).toBe('replay');
    if (replay.action === 'replay') expect((await sessions.replayEntries(replay)).map((e) => e.id)).toEqual(['c']);
    expect(await errorCode(sessions.resume({ userId: 'u1', feedId: 'for-you', cursor: p1.cursor, newerThan: '' }, []))).toBe(Code.Aborted);
    expect(await errorCode(sessions.resume({ userId: 'u2', feedId: 'for-you', cursor: p2.cursor, newerThan: '' }, []))).toBe(Code.FailedPrecondition);
    store.sessions.clear();
    expect(await errorCode(sessions.resume({ userId: 'u1', feedId: 'for-you', cursor: p2.cursor, newerThan: '' }, []))).toBe(Code.FailedPrecondition);
  });

  it('answers NotFound for an unknown user, InvalidArgument for a bad cursor, and fails open only on a store error', async () => {
    const store = new MemorySessionStore();
    const sessions = paging(store);
    const unknown = await sessions.resume({ userId: 'x1', feedId: 'for-you', cursor: '', newerThan: '' }, []).catch((e: unknown) => e as ConnectError);
    expect(unknown).toBeInstanceOf(ConnectError);
    expect((unknown as ConnectError).code).toBe(Code.NotFound);
    expect((unknown as ConnectError).rawMessage).toMatch(/^user_id: /);
    expect(await errorCode(sessions.resume({ userId: 'u1', feedId: 'for-you', cursor: 'v1.abc.def', newerThan: '' }, []))).toBe(Code.InvalidArgument);
    const reasons: string[] = [];
    const lookupErrors: unknown[] = [];
    const down = { exists: async () => Promise.reject(new Error('pg down')) };
    const failingOpen = paging(store, { users: down, onUserLookupError: (e) => lookupErrors.push(e) });
    expect((await failingOpen.resume({ userId: 'u1', feedId: 'for-you', cursor: '', newerThan: '' }, reasons)).action).toBe('open');
    expect(reasons).toEqual(['users: unavailable']);
    expect(lookupErrors).toEqual([new Error('pg down')]);
  });

  it('checks the user of a validly signed cursor unless its session is stored for that user', async () => {
    const store = new MemorySessionStore();
    const asked: string[] = [];
    const counting = { exists: async (id: string) => (asked.push(id), id.startsWith('u')) };
    // Page 2 of a real session: the stored session proves the check of its first page.
    const p1 = await servePage(store, '', ['a']);
    expect((await paging(store, { users: counting }).resume({ userId: 'u1', feedId: 'for-you', cursor: p1.cursor, newerThan: '' }, [])).action).toBe('advance');
    expect(asked).toEqual([]);
    // Whoever holds the signing key (a leaked or default one) can sign any payload: a cursor
    // for a user that does not exist, naming a session that was never opened.
    const forged = encodeCursor({ sessionId: 'never-opened', userId: 'ghost', feedId: 'for-you', hlc: new HybridLogicalClock().tick() }, secrets);
    expect(await errorCode(paging(store, { users: counting }).resume({ userId: 'ghost', feedId: 'for-you', cursor: forged, newerThan: '' }, []))).toBe(Code.NotFound);
    expect(asked).toEqual(['ghost']);
  });

  it('lets only one of two racing requests with the same cursor commit', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a']);
    const sessions = paging(store);
    const plan = await sessions.resume({ userId: 'u1', feedId: 'for-you', cursor: p1.cursor, newerThan: '' }, []);
    if (plan.action === 'replay') throw new Error('unexpected replay');
    const commit = () => sessions.commit(plan, 'u1', { entries: [entry('b')], exhausted: false, window: { kind: 'drop' } });
    await commit();
    expect(await errorCode(commit())).toBe(Code.Aborted);
  });

  it('ends the session on an exhausted page or at the page cap', async () => {
    const store = new MemorySessionStore();
    const sessions = paging(store, { maxPages: 2 });
    const open = await sessions.resume({ userId: 'u1', feedId: 'for-you', cursor: '', newerThan: '' }, []);
    if (open.action === 'replay') throw new Error('unexpected replay');
    const first = await sessions.commit(open, 'u1', { entries: [entry('a')], exhausted: false, window: { kind: 'drop' } });
    expect(first.nextCursor).not.toBe('');
    const next = await sessions.resume({ userId: 'u1', feedId: 'for-you', cursor: first.nextCursor, newerThan: '' }, []);
    if (next.action === 'replay') throw new Error('unexpected replay');
    expect((await sessions.commit(next, 'u1', { entries: [entry('b')], exhausted: false, window: { kind: 'drop' } })).nextCursor).toBe('');
    const other = await paging(store, { newSessionId: () => 'other' }).resume({ userId: 'u1', feedId: 'for-you', cursor: '', newerThan: '' }, []);
    if (other.action === 'replay') throw new Error('unexpected replay');
    expect((await sessions.commit(other, 'u1', { entries: [], exhausted: true, window: { kind: 'drop' } })).nextCursor).toBe('');
  });
});

describe('newer pages and counts', () => {
  it('a newer page opens a new session inheriting the served set, with the old snapshot as its lower bound; a retry does the same', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a', 'b']);
    let t = 5_000;
    const later = paging(store, { now: () => t, newSessionId: () => `newer-${t}` });
    const newer = await later.resume({ userId: 'u1', feedId: 'for-you', cursor: '', newerThan: p1.cursor }, []);
    if (newer.action !== 'open') throw new Error('expected a new session');
    expect(newer).toMatchObject({ sessionId: 'newer-5000', snapshotMs: 5_000, newer: { sinceMs: 1_000 } });
    expect([...(await newer.served())].sort()).toEqual(['a', 'b']);
    const committed = await later.commit(newer, 'u1', { entries: [entry('n1')], exhausted: false, window: { kind: 'drop' } });
    expect((await store.served('newer-5000')).sort()).toEqual(['a', 'b', 'n1']);
    expect(committed.servedCount).toBe(3);
    // The old session is untouched: a retry of the same newer_than opens another session alike.
    expect((await store.served('sess')).sort()).toEqual(['a', 'b']);
    t = 6_000;
    const retry = await later.resume({ userId: 'u1', feedId: 'for-you', cursor: '', newerThan: p1.cursor }, []);
    expect(retry).toMatchObject({ action: 'open', newer: { sinceMs: 1_000 } });
  });

  it('peek takes any cursor of the session, of its user and feed, and names the field', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a']);
    const p2 = await servePage(store, p1.cursor, ['b']);
    const sessions = paging(store);
    expect((await sessions.peek({ userId: 'u1', feedId: 'for-you' }, p1.cursor, 'cursor')).page).toBe(2);
    expect((await sessions.peek({ userId: 'u1', feedId: 'for-you' }, p2.cursor, 'cursor')).page).toBe(2);
    const wrongUser = await sessions.peek({ userId: 'u2', feedId: 'for-you' }, p2.cursor, 'newer_than').catch((e: unknown) => e as ConnectError);
    expect(wrongUser).toMatchObject({ code: Code.FailedPrecondition, rawMessage: expect.stringMatching(/^newer_than: belongs to another user/) });
    const wrongFeed = await sessions.peek({ userId: 'u1', feedId: 'following' }, p2.cursor, 'newer_than').catch((e: unknown) => e as ConnectError);
    expect(wrongFeed).toMatchObject({ code: Code.InvalidArgument, rawMessage: expect.stringMatching(/^newer_than: belongs to feed "for-you"/) });
    const gone = await paging(new MemorySessionStore()).peek({ userId: 'u1', feedId: 'for-you' }, p2.cursor, 'cursor').catch((e: unknown) => e as ConnectError);
    expect(gone).toMatchObject({ code: Code.FailedPrecondition });
  });
});
