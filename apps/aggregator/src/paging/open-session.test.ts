import { Code, ConnectError } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../test/memory-session-store.js';
import { entry } from '../../test/unit-fixtures.js';
import { openSession } from './open-session.js';
import { advanceSession } from './paging-policy.js';

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

/** Serves pages the way feedService does, against the memory store. */
async function servePage(store: MemorySessionStore, cursor: string, ids: string[], hlcWall: number) {
  const plan = await openSession({ userId: 'u1', cursor }, { users, sessions: store, secrets, now: () => 1_000, newSessionId: () => 'sess' }, []);
  if (plan.action === 'replay') throw new Error('unexpected replay');
  const session = advanceSession(
    { previous: plan.previous, sessionId: plan.sessionId, userId: 'u1', snapshotMs: plan.snapshotMs, hlc: { wallMs: hlcWall, logical: 0 }, served: ids.length, last: false },
    secrets,
  );
  expect(await store.commit({ session, expectedLastHlc: plan.previous?.lastHlc, entries: ids.map((id) => entry(id)) })).toBe(true);
  return { plan, cursor: session.nextCursor };
}

describe('openSession', () => {
  it('opens a session with a snapshot, then advances with the served set of earlier pages', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a', 'b'], 10);
    expect(p1.plan).toMatchObject({ action: 'open', sessionId: 'sess', snapshotMs: 1_000 });
    const p2 = await servePage(store, p1.cursor, ['c'], 20);
    expect(p2.plan.action).toBe('advance');
    if (p2.plan.action !== 'advance') return;
    expect([...p2.plan.served]).toEqual(['a', 'b']);
    expect(p2.plan.snapshotMs).toBe(1_000);
  });

  it('replays the previous cursor, rejects older ones as Aborted and lost sessions as FailedPrecondition', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a'], 10);
    const p2 = await servePage(store, p1.cursor, ['b'], 20);
    await servePage(store, p2.cursor, ['c'], 30);
    const deps = { users, sessions: store, secrets };
    const replay = await openSession({ userId: 'u1', cursor: p2.cursor }, deps, []);
    expect(replay.action).toBe('replay');
    expect(await errorCode(openSession({ userId: 'u1', cursor: p1.cursor }, deps, []))).toBe(Code.Aborted);
    expect(await errorCode(openSession({ userId: 'u2', cursor: p2.cursor }, deps, []))).toBe(Code.FailedPrecondition);
    store.sessions.clear();
    expect(await errorCode(openSession({ userId: 'u1', cursor: p2.cursor }, deps, []))).toBe(Code.FailedPrecondition);
  });

  it('rejects unknown users and bad cursors as InvalidArgument, and fails open when users cannot be read', async () => {
    const store = new MemorySessionStore();
    const deps = { users, sessions: store, secrets };
    expect(await errorCode(openSession({ userId: 'x1', cursor: '' }, deps, []))).toBe(Code.InvalidArgument);
    expect(await errorCode(openSession({ userId: 'u1', cursor: 'v1.abc.def' }, deps, []))).toBe(Code.InvalidArgument);
    const reasons: string[] = [];
    const down = { exists: async () => Promise.reject(new Error('pg down')) };
    expect((await openSession({ userId: 'u1', cursor: '' }, { ...deps, users: down }, reasons)).action).toBe('open');
    expect(reasons).toEqual(['users: unavailable']);
  });

  it('lets only one of two racing requests with the same cursor commit', async () => {
    const store = new MemorySessionStore();
    const p1 = await servePage(store, '', ['a'], 10);
    const plan = await openSession({ userId: 'u1', cursor: p1.cursor }, { users, sessions: store, secrets }, []);
    if (plan.action === 'replay') throw new Error('unexpected replay');
    const commit = (wall: number) =>
      store.commit({
        session: advanceSession({ previous: plan.previous, sessionId: 'sess', userId: 'u1', snapshotMs: 1_000, hlc: { wallMs: wall, logical: 0 }, served: 1, last: false }, secrets),
        expectedLastHlc: plan.previous?.lastHlc,
        entries: [entry('b')],
      });
    expect([await commit(20), await commit(21)]).toEqual([true, false]);
  });
});
