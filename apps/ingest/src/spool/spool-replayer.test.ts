import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@feedmesh/telemetry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskSpool, type SpoolEntry } from './disk-spool.js';
import { SpoolReplayer } from './spool-replayer.js';

let dir: string;
let spool: DiskSpool;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'spool-replayer-test-'));
  spool = await DiskSpool.open({ dir, maxBytes: 1 << 20, segmentBytes: 400 });
});
afterEach(async () => {
  await spool.close();
  await rm(dir, { recursive: true, force: true });
});

const logs: string[] = [];
const logger = { info: (_: unknown, m: string) => logs.push(m), warn: (_: unknown, m: string) => logs.push(m), error: (_: unknown, m: string) => logs.push(m) } as unknown as Logger;
const numbers = (entries: SpoolEntry[]) => entries.map((e) => Number(e.payload.toString()));
const unavailable = () => Object.assign(new Error('connect ECONNREFUSED'), { transient: true });
const until = async (check: () => boolean, ms = 5_000) => {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('SpoolReplayer', () => {
  it('stores everything in append order, retrying while the store is unavailable, then commits it', async () => {
    for (let n = 0; n < 30; n++) await spool.append(Buffer.from(String(n)));
    const stored: number[] = [];
    let outage = 5;
    const replayer = new SpoolReplayer({
      spool,
      logger,
      maxRecords: 4,
      backoff: { baseMs: 1, capMs: 4 },
      isTransient: (e) => (e as { transient?: boolean }).transient === true,
      store: async (entries) => {
        if (outage-- > 0) throw unavailable();
        stored.push(...numbers(entries));
      },
      setAside: async () => {
        throw new Error('nothing should be set aside');
      },
    });
    replayer.start();
    await until(() => spool.pendingRecords === 0);
    expect(stored).toEqual(Array.from({ length: 30 }, (_, n) => n));
    // Appended later: woken, replayed.
    await spool.append(Buffer.from('30'));
    replayer.wake();
    await until(() => spool.pendingRecords === 0);
    expect(stored.at(-1)).toBe(30);
    await replayer.stop();
  });

  it('sets aside, one by one, only the records that keep failing otherwise; the rest is stored', async () => {
    for (let n = 0; n < 6; n++) await spool.append(Buffer.from(String(n)));
    const stored: number[] = [];
    const setAside: number[] = [];
    const replayer = new SpoolReplayer({
      spool,
      logger,
      maxRecords: 10,
      backoff: { baseMs: 1, capMs: 2 },
      isTransient: () => false,
      store: async (entries) => {
        if (numbers(entries).includes(3)) throw new Error('poison');
        stored.push(...numbers(entries));
      },
      setAside: async (entries) => void setAside.push(...numbers(entries)),
    });
    replayer.start();
    await until(() => spool.pendingRecords === 0);
    await replayer.stop();
    expect(setAside).toEqual([3]);
    expect(stored.sort()).toEqual([0, 1, 2, 4, 5]);
  });

  it('stop() ends a backoff wait at once and leaves the records pending', async () => {
    await spool.append(Buffer.from('1'));
    let calls = 0;
    const replayer = new SpoolReplayer({
      spool,
      logger,
      backoff: { baseMs: 60_000, capMs: 60_000, random: () => 0.99 },
      isTransient: () => true,
      store: async () => {
        calls++;
        throw unavailable();
      },
      setAside: async () => {},
    });
    replayer.start();
    await until(() => calls === 1);
    const started = Date.now();
    await replayer.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(spool.pendingRecords).toBe(1);
  });
});
