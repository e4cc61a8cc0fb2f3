import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../test/memory-session-store.js';
import { entry } from '../../test/unit-fixtures.js';
import { HybridLogicalClock } from '@feedmesh/feed-core';
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
  const plan = await sessions.resume({ userId: 'u1', cursor }, []);
  if (plan.action === 'replay') throw new Error('unexpected replay');
  const session = await sessions.commit(plan, 'u1', { entries: ids.map((id) => entry(id)), exhausted: false, window: { kind: 'drop' } });
  return { plan, cursor: session.nextCursor };
}

describe('PagingSession.resume', () => {
  it('opens a session with a snapshot, then advances with the served set of earlier pages', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a', 'b']);
    expect(p1.plan).toMatchObject({ action: 'open', sessionId: 'sess', snapshotMs: 1_000 });
    const p2 = await paging(store).resume({ userId: 'u1', cursor: p1.cursor }, []);
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
    const replay = await sessions.resume({ userId: 'u1', cursor: p2.cursor }, []);
    expect(replay.action).toBe('replay');
    if (replay.action === 'replay') expect((await sessions.replayEntries(replay)).map((e) => e.id)).toEqual(['c']);
    expect(await errorCode(sessions.resume({ userId: 'u1', cursor: p1.cursor }, []))).toBe(Code.Aborted);
    expect(await errorCode(sessions.resume({ userId: 'u2', cursor: p2.cursor }, []))).toBe(Code.FailedPrecondition);
    store.sessions.clear();
    expect(await errorCode(sessions.resume({ userId: 'u1', cursor: p2.cursor }, []))).toBe(Code.FailedPrecondition);
  });

  it('rejects unknown users and bad cursors as InvalidArgument, and fails open when users cannot be read', async () => {
    const store = new MemorySessionStore();
    const sessions = paging(store);
    expect(await errorCode(sessions.resume({ userId: 'x1', cursor: '' }, []))).toBe(Code.InvalidArgument);
    expect(await errorCode(sessions.resume({ userId: 'u1', cursor: 'v1.abc.def' }, []))).toBe(Code.InvalidArgument);
    const reasons: string[] = [];
    const down = { exists: async () => Promise.reject(new Error('pg down')) };
    expect((await paging(store, { users: down }).resume({ userId: 'u1', cursor: '' }, reasons)).action).toBe('open');
    expect(reasons).toEqual(['users: unavailable']);
  });

  it('lets only one of two racing requests with the same cursor commit', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a']);
    const sessions = paging(store);
    const plan = await sessions.resume({ userId: 'u1', cursor: p1.cursor }, []);
    if (plan.action === 'replay') throw new Error('unexpected replay');
    const commit = () => sessions.commit(plan, 'u1', { entries: [entry('b')], exhausted: false, window: { kind: 'drop' } });
    await commit();
    expect(await errorCode(commit())).toBe(Code.Aborted);
  });

  it('ends the session on an exhausted page or at the page cap', async () => {
    const store = new MemorySessionStore();
    const sessions = paging(store, { maxPages: 2 });
    const open = await sessions.resume({ userId: 'u1', cursor: '' }, []);
    if (open.action === 'replay') throw new Error('unexpected replay');
    const first = await sessions.commit(open, 'u1', { entries: [entry('a')], exhausted: false, window: { kind: 'drop' } });
    expect(first.nextCursor).not.toBe('');
    const next = await sessions.resume({ userId: 'u1', cursor: first.nextCursor }, []);
    if (next.action === 'replay') throw new Error('unexpected replay');
    expect((await sessions.commit(next, 'u1', { entries: [entry('b')], exhausted: false, window: { kind: 'drop' } })).nextCursor).toBe('');
    const other = await paging(store, { newSessionId: () => 'other' }).resume({ userId: 'u1', cursor: '' }, []);
    if (other.action === 'replay') throw new Error('unexpected replay');
    expect((await sessions.commit(other, 'u1', { entries: [], exhausted: true, window: { kind: 'drop' } })).nextCursor).toBe('');
  });
});
