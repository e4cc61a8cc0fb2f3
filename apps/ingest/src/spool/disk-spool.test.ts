import { cp, mkdtemp, open, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DiskSpool, SpoolFullError, type DiskSpoolOptions, type SpoolDamage } from './disk-spool.js';
import { encodeFrame, FRAME_HEADER_BYTES } from './spool-frame.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'spool-test-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await rm(dir, { recursive: true, force: true });
});

const MiB = 1024 * 1024;
const openSpool = (options: Partial<DiskSpoolOptions> = {}) => DiskSpool.open({ dir, maxBytes: 64 * MiB, segmentBytes: 8 * MiB, ...options });
const payload = (n: number) => Buffer.from(JSON.stringify({ n, pad: String(n).padStart(6, '0') })); // one size for n < 1e6
const segments = async () => (await readdir(dir)).filter((name) => name.endsWith('.log')).sort();

/** Everything pending, in order, committing as it goes. */
async function drain(spool: DiskSpool, maxRecords = 7, maxBytes = 4 * MiB): Promise<number[]> {
  const seen: number[] = [];
  for (;;) {
    const read = await spool.read(maxRecords, maxBytes);
    if (!read) return seen;
    seen.push(...read.entries.map((e) => (JSON.parse(e.payload.toString()) as { n: number }).n));
    await spool.commit(read);
  }
}

/** Everything pending, in order, as a fresh open of a copy of the directory reads it. */
async function peekAll(): Promise<number[]> {
  const copy = `${dir}-copy`;
  await cp(dir, copy, { recursive: true });
  try {
    const spool = await DiskSpool.open({ dir: copy, maxBytes: 64 * MiB, segmentBytes: 8 * MiB });
    const seen = await drain(spool, 1_000_000, 64 * MiB);
    await spool.close();
    return seen;
  } finally {
    await rm(copy, { recursive: true, force: true });
  }
}

describe('DiskSpool', () => {
  it('reads back what was appended, in order, and again after a reopen', async () => {
    const spool = await openSpool();
    for (let n = 0; n < 20; n++) await spool.append(payload(n));
    expect(spool.pendingRecords).toBe(20);
    await spool.close();
    expect(await peekAll()).toEqual(Array.from({ length: 20 }, (_, n) => n));
    const again = await openSpool();
    expect(again.pendingRecords).toBe(20);
    expect(await drain(again)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(again.pendingRecords).toBe(0);
    await again.close();
  });

  it('group commit: many concurrent appends share few fsyncs, and all are readable after reopen', async () => {
    const spool = await openSpool();
    // Whatever FileHandle is: the class of the handles the spool opens.
    const probe = await open(path.join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    const datasync = vi.spyOn(prototype, 'datasync');
    const started = performance.now();
    await Promise.all(Array.from({ length: 2_000 }, (_, n) => spool.append(payload(n))));
    const ms = performance.now() - started;
    const syncs = datasync.mock.calls.length;
    console.log(`group commit: 2000 concurrent appends in ${ms.toFixed(0)} ms with ${syncs} fdatasyncs`);
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan(100);
    await spool.close();
    expect(await peekAll()).toEqual(Array.from({ length: 2_000 }, (_, n) => n));
  });

  it('resolves an append only after its fsync', async () => {
    const spool = await openSpool();
    const probe = await open(path.join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { datasync: () => Promise<void> };
    await probe.close();
    let synced = false;
    const original = prototype.datasync;
    vi.spyOn(prototype, 'datasync').mockImplementation(async function (this: unknown) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await original.call(this);
      synced = true;
    });
    await spool.append(payload(1));
    expect(synced).toBe(true);
    await spool.close();
  });

  it('cuts off a torn last record on open, keeps the records before it, and appends after them', async () => {
    const damage: SpoolDamage[] = [];
    const spool = await openSpool();
    for (let n = 0; n < 5; n++) await spool.append(payload(n));
    await spool.close();
    const [segment] = await segments();
    const file = path.join(dir, segment!);
    const whole = (await stat(file)).size;
    // A sixth append that got only part of its bytes to disk before the crash.
    const sixth = encodeFrame(payload(5), Date.now());
    await writeFile(file, sixth.subarray(0, sixth.length - 3), { flag: 'a' });
    const reopened = await openSpool({ onDamage: (d) => damage.push(d) });
    expect(damage).toEqual([expect.objectContaining({ kind: 'torn', segment, bytes: sixth.length - 3 })]);
    expect((await stat(file)).size).toBe(whole);
    expect(reopened.pendingRecords).toBe(5);
    await reopened.append(payload(6));
    await reopened.close();
    expect(await peekAll()).toEqual([0, 1, 2, 3, 4, 6]);
  });

  it('a flipped byte in the last record: torn (never acknowledged); in the middle: the segment is set aside, never a crash', async () => {
    const spool = await openSpool({ segmentBytes: 200 });
    for (let n = 0; n < 6; n++) await spool.append(payload(n));
    await spool.close();
    const files = await segments();
    expect(files.length).toBeGreaterThan(1);
    const first = path.join(dir, files[0]!);
    const bytes = await readFile(first);
    bytes[FRAME_HEADER_BYTES + 2]! ^= 0x01; // the first record's payload
    await writeFile(first, bytes);
    const damage: SpoolDamage[] = [];
    const reopened = await openSpool({ segmentBytes: 200, onDamage: (d) => damage.push(d) });
    expect(damage).toMatchObject([{ kind: 'corrupt', segment: files[0], reason: 'checksum mismatch', at: 0 }]);
    expect((await readdir(dir)).filter((name) => name.endsWith('.corrupt'))).toEqual([`${files[0]}.corrupt`]);
    const kept = await drain(reopened);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept).toEqual(Array.from({ length: 6 }, (_, n) => n).slice(6 - kept.length));
    await reopened.close();
  });

  it('refuses appends past maxBytes with nothing written, and takes them again once replay freed space', async () => {
    const size = encodeFrame(payload(0), 0).length;
    const spool = await openSpool({ maxBytes: size * 3 + 5, segmentBytes: size * 2 });
    for (let n = 0; n < 3; n++) await spool.append(payload(0));
    const before = spool.bytes;
    const onDisk = async () => (await Promise.all((await segments()).map((s) => stat(path.join(dir, s)).then((st) => st.size)))).reduce((a, b) => a + b, 0);
    await expect(spool.append(payload(0))).rejects.toBeInstanceOf(SpoolFullError);
    // Concurrent ones too: each either fits whole or is refused whole.
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => spool.append(payload(0))));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof SpoolFullError)).toBe(true);
    expect(spool.bytes).toBe(before);
    expect(await onDisk()).toBe(before);
    expect(spool.pendingRecords).toBe(3);
    // Replay of the first (full) segment deletes it: room again.
    const read = (await spool.read(2, MiB))!;
    expect(read.entries).toHaveLength(2);
    await spool.commit(read);
    await spool.append(payload(0));
    expect(spool.pendingRecords).toBe(2);
    await spool.close();
    expect(await peekAll()).toEqual([0, 0]);
  });

  it('rotates segments at segmentBytes and deletes each once replayed, the last one too', async () => {
    const size = encodeFrame(payload(1), 0).length;
    const spool = await openSpool({ segmentBytes: size * 4 });
    for (let n = 0; n < 10; n++) await spool.append(payload(n));
    expect((await segments()).length).toBe(3);
    // A read stays inside one segment.
    const read = (await spool.read(5, MiB))!;
    expect(read.entries).toHaveLength(4);
    await spool.commit(read);
    expect((await segments()).length).toBe(2);
    expect(await drain(spool, 3)).toEqual([4, 5, 6, 7, 8, 9]);
    expect(await segments()).toEqual([]);
    expect(spool.bytes).toBe(0);
    // The next append starts a new segment after the deleted ones.
    await spool.append(payload(42));
    expect(await segments()).toEqual(['segment-000000000004.log']);
    await spool.close();
  });

  it('keeps the replay position across a reopen (a crash replays at most the read in progress)', async () => {
    const spool = await openSpool({ segmentBytes: 300 });
    for (let n = 0; n < 12; n++) await spool.append(payload(n));
    const read = (await spool.read(5, MiB))!;
    await spool.commit(read);
    const uncommitted = await spool.read(2, MiB); // read, not committed: replayed again
    expect(uncommitted?.entries).toHaveLength(2);
    await spool.close();
    const reopened = await openSpool({ segmentBytes: 300 });
    expect(reopened.pendingRecords).toBe(7);
    expect(await drain(reopened)).toEqual([5, 6, 7, 8, 9, 10, 11]);
    await reopened.close();
  });

  it('a write that fails half-way is cut off again: that append fails, nothing of it stays, the next one works', async () => {
    const spool = await openSpool();
    await spool.append(payload(1));
    const probe = await open(path.join(dir, 'probe'), 'w');
    const prototype = Object.getPrototypeOf(probe) as { write: (...args: unknown[]) => Promise<{ bytesWritten: number }> };
    await probe.close();
    const original = prototype.write;
    const write = vi.spyOn(prototype, 'write').mockImplementationOnce(async function (this: unknown, data: unknown, offset: unknown, length: unknown, position: unknown) {
      await original.call(this, data, offset, Math.floor((length as number) / 2), position);
      throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    });
    await expect(spool.append(payload(2))).rejects.toThrow('EIO');
    write.mockRestore();
    expect(spool.pendingRecords).toBe(1);
    await spool.append(payload(3));
    await spool.close();
    const damage: SpoolDamage[] = [];
    const reopened = await openSpool({ onDamage: (d) => damage.push(d) });
    expect(damage).toEqual([]);
    expect(await drain(reopened)).toEqual([1, 3]);
    await reopened.close();
  });

  it('an unreadable position file: everything left is replayed from the start (a repeat is harmless), reported', async () => {
    const spool = await openSpool();
    for (let n = 0; n < 4; n++) await spool.append(payload(n));
    const read = (await spool.read(2, MiB))!;
    await spool.commit(read);
    await spool.close();
    await writeFile(path.join(dir, 'position'), '{"segm');
    const damage: SpoolDamage[] = [];
    const reopened = await openSpool({ onDamage: (d) => damage.push(d) });
    expect(damage).toMatchObject([{ kind: 'corrupt', segment: 'position' }]);
    expect(await drain(reopened)).toEqual([0, 1, 2, 3]);
    await reopened.close();
  });

  it('reads a record larger than maxBytes whole', async () => {
    const spool = await openSpool();
    await spool.append(Buffer.from(JSON.stringify({ n: 7, pad: 'y'.repeat(10_000) })));
    const read = await spool.read(10, 100);
    expect(read?.entries).toHaveLength(1);
    await spool.close();
  });

  it('a segment damaged after it was written (found by replay) is set aside and replay goes on', async () => {
    const damage: SpoolDamage[] = [];
    const spool = await openSpool({ segmentBytes: 200, onDamage: (d) => damage.push(d) });
    for (let n = 0; n < 6; n++) await spool.append(payload(n));
    const files = await segments();
    await truncate(path.join(dir, files[0]!), 10);
    const kept = await drain(spool);
    expect(damage).toMatchObject([{ kind: 'corrupt', segment: files[0] }]);
    expect(kept.length).toBeGreaterThan(0);
    expect(spool.pendingRecords).toBe(0);
    await spool.close();
  });

  it('tracks the oldest pending append time', async () => {
    let now = 1_000;
    const spool = await openSpool({ now: () => now });
    expect(spool.oldestPendingAtMs).toBeUndefined();
    await spool.append(payload(1));
    now = 2_000;
    await spool.append(payload(2));
    expect(spool.oldestPendingAtMs).toBe(1_000);
    const read = (await spool.read(1, MiB))!;
    await spool.commit(read);
    expect((await spool.read(1, MiB))?.entries[0]?.appendedAtMs).toBe(2_000);
    expect(spool.oldestPendingAtMs).toBe(2_000);
    await spool.close();
    const reopened = await openSpool();
    expect(reopened.oldestPendingAtMs).toBe(2_000);
    await reopened.close();
  });
});
