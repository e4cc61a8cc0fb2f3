import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { StoredBatch } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngagementRecord } from '../engagement/engagement-record.js';
import type { RecordEngagementDeps } from '../engagement/record-engagement.js';
import { EngagementSpool, spoolDirectoryFor } from './engagement-spool.js';

// The spool's policy over a fake store: Postgres "down" is a store that throws ECONNREFUSED.

let root: string;
beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'engagement-spool-test-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/feedmesh_spool_unit';
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
const record = (n: number): EngagementRecord => ({ index: n, userId: `u${n}`, itemId: '00000000-0000-4000-8000-000000000001', type: 2, occurredAtMs: 1_700_000_000_000 + n, dwellMs: null });
const noop = () => {};
const logger = { debug: noop, info: noop, warn: noop, error: noop } as unknown as Logger;

/** A store that is down while `down` is true and holds its replays while `gate` is closed. */
function fakeStore() {
  const state = { down: false, stored: [] as string[], calls: 0, gate: Promise.resolve() as Promise<void>, gated: (_records: EngagementRecord[]) => true };
  const deps: RecordEngagementDeps = {
    storage: {
      engagement: {
        store: async (records: EngagementRecord[]): Promise<StoredBatch> => {
          state.calls++;
          if (state.gated(records)) await state.gate;
          if (state.down) throw refused();
          state.stored.push(...records.map((r) => r.userId));
          return { accepted: records.length, duplicates: 0, rejections: [], stats: [], authorAffinities: [], kindAffinities: [] };
        },
      },
      timelines: { bumpTrending: async () => true },
      viewerPreferences: { showLess: async () => ({}) },
    } as unknown as RecordEngagementDeps['storage'],
    redis: {} as RecordEngagementDeps['redis'],
    logger,
    readModelFailures: { record: noop } as unknown as RecordEngagementDeps['readModelFailures'],
    showLessPeriodMs: 1,
    seenItems: { maxItems: 1, ttlMs: 1 },
  };
  return { state, deps };
}

const until = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('EngagementSpool', () => {
  it('stores directly while the store is up; spools while it is down; queues behind a non-empty spool until it drains', async () => {
    const { state, deps } = fakeStore();
    const spool = await EngagementSpool.open(deps, { root, maxBytes: 1 << 20, segmentBytes: 1 << 16, databaseUrl: DATABASE_URL }, new Registry());
    expect(await spool.record([record(1)], [])).toMatchObject({ accepted: 1, spooled: false });

    state.down = true;
    const rejection = { index: 1, field: 'type', reason: 'bad' };
    expect(await spool.record([record(2)], [rejection])).toEqual({ accepted: 1, rejected: 1, duplicates: 0, errors: [rejection], spooled: true });
    // Back, but replay is held: a new batch goes behind the spooled one, not to the store.
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));
    state.down = false;
    const callsBefore = state.calls;
    await until(() => state.calls > callsBefore); // the replayer is inside the store, held
    expect(await spool.record([record(3)], [])).toMatchObject({ spooled: true });
    expect(await spool.record([record(4)], [])).toMatchObject({ spooled: true });
    open();
    await until(() => spool.backlog === 0);
    expect(state.stored).toEqual(['u1', 'u2', 'u3', 'u4']);
    // Drained: direct again.
    expect(await spool.record([record(5)], [])).toMatchObject({ spooled: false });
    await spool.close();
    // An empty slot is removed on close, and the database's directory with it.
    expect(await readdir(root)).toEqual([]);
  });

  it('a full spool answers Unavailable naming the spool; other store errors pass through unchanged', async () => {
    const { state, deps } = fakeStore();
    const spool = await EngagementSpool.open(deps, { root, maxBytes: 200, segmentBytes: 1 << 16, databaseUrl: DATABASE_URL });
    state.down = true; // replay keeps failing too
    expect(await spool.record([record(1)], [])).toMatchObject({ spooled: true });
    await expect(spool.record([record(2), record(3)], [])).rejects.toMatchObject({ code: 14, rawMessage: 'the engagement spool is unavailable' });
    // The store is back while replay still holds the spool full: a refused batch goes to the store.
    let open!: () => void;
    state.gate = new Promise((resolve) => (open = resolve));
    state.gated = (records) => records.some((r) => r.userId === 'u1');
    state.down = false;
    expect(await spool.record([record(2), record(3)], [])).toMatchObject({ accepted: 2, spooled: false });
    expect(state.stored).toEqual(['u2', 'u3']);
    open();
    await until(() => spool.backlog === 0);
    expect(state.stored).toEqual(['u2', 'u3', 'u1']);
    await spool.close();

    const other = fakeStore();
    other.deps.storage.engagement.store = async () => {
      throw Object.assign(new Error('invalid input syntax for type uuid'), { code: '22P02' });
    };
    const spool2 = await EngagementSpool.open(other.deps, { root: path.join(root, 'b'), maxBytes: 1 << 20, segmentBytes: 1 << 16, databaseUrl: DATABASE_URL });
    await expect(spool2.record([record(1)], [])).rejects.toThrow('invalid input syntax');
    expect(spool2.backlog).toBe(0);
    await spool2.close();
  });

  it('keeps spools of different databases apart', () => {
    expect(spoolDirectoryFor(root, DATABASE_URL)).not.toBe(spoolDirectoryFor(root, DATABASE_URL.replace('5432', '5433')));
    expect(path.basename(spoolDirectoryFor(root, DATABASE_URL))).toMatch(/^feedmesh_spool_unit-[0-9a-f]{12}$/);
    expect(path.dirname(spoolDirectoryFor('', DATABASE_URL))).toBe(path.join(os.tmpdir(), `feedmesh-ingest-spool-${process.getuid!()}`));
  });
});
