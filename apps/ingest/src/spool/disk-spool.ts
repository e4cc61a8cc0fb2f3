import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { encodeFrame, readFrame, scanSegment } from './spool-frame.js';

/** The spool holds `maxBytes` already: nothing of the refused record was written. */
export class SpoolFullError extends Error {
  constructor(
    readonly usedBytes: number,
    readonly maxBytes: number,
  ) {
    super(`the spool is full (${usedBytes} of ${maxBytes} bytes used)`);
  }
}

export class SpoolClosedError extends Error {
  constructor() {
    super('the spool is closed');
  }
}

export interface DiskSpoolOptions {
  /** The directory, this process' alone (spool-slot.ts). */
  dir: string;
  /** Bytes the segments may take on disk, replayed-but-not-yet-deleted ones included. */
  maxBytes: number;
  /** A segment takes appends until the next record would make it larger than this. */
  segmentBytes: number;
  now?: () => number;
  /** Damage found and dealt with (a torn tail cut off, a corrupt segment set aside), for the log and metrics. */
  onDamage?: (damage: SpoolDamage) => void;
}

export interface SpoolDamage {
  kind: 'torn' | 'corrupt';
  segment: string;
  reason: string;
  /** torn: the bytes cut off; corrupt: where the damage starts. */
  bytes?: number;
  at?: number;
  /** corrupt: the valid records before the damage, left in the set-aside file. */
  recordsBefore?: number;
}

export interface SpoolEntry {
  payload: Buffer;
  appendedAtMs: number;
}

/** Where replay stands: the next record to replay is at `offset` of segment number `segment`. */
export interface SpoolPosition {
  segment: number;
  offset: number;
}

export interface SpoolRead {
  /** In append order. */
  entries: SpoolEntry[];
  /** The position after them, for commit(). */
  next: SpoolPosition;
}

interface Segment {
  seq: number;
  file: string;
  /** Durable bytes (the valid prefix found on open, or fsync'd appends). */
  size: number;
  records: number;
  /** Records of this segment replayed (committed) so far. */
  consumed: number;
  /** Open for appends (the active segment only). */
  handle?: FileHandle;
}

interface QueuedAppend {
  frame: Buffer;
  appendedAtMs: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

const POSITION_FILE = 'position';
const SEGMENT_NAME = /^segment-(\d{12})\.log$/;
const segmentName = (seq: number) => `segment-${String(seq).padStart(12, '0')}.log`;

/**
 * An append-only, fsync'd spool of opaque records, replayed in order by one reader.
 *
 * Appends: each record is framed (length, append time, CRC-32; spool-frame.ts) and queued; one
 * writer takes everything queued, writes it to the active segment in one write and fdatasyncs
 * once (group commit: concurrent appends share the fsync), and only then resolves their appends.
 * A record that would take the spool past `maxBytes` is refused at once (SpoolFullError), so
 * nothing of it is written. A failed write or fsync is cut off again (ftruncate to the last
 * durable size) and fails only the appends that were not durable yet.
 *
 * Segments: `segment-<n>.log`, a new one when the active one would pass `segmentBytes` (the
 * directory is fsync'd after each creation). Replay position: `position` (`{segment, offset}`),
 * replaced atomically (write, fsync, rename, fsync the directory) by commit(); a segment whose
 * records are all committed is deleted after the position moves past it.
 *
 * Open: every segment is scanned. A torn tail (an append that never completed, so was never
 * acknowledged) is cut off; a segment with damage followed by more data (corruption in the
 * middle) is renamed `.corrupt` and left for an operator, both reported through onDamage.
 */
export class DiskSpool {
  private readonly segments: Segment[] = [];
  private active: Segment | undefined;
  private nextSeq = 1;
  private position: SpoolPosition = { segment: 0, offset: 0 };
  private diskBytes = 0;
  private queuedBytes = 0;
  private pending = 0;
  private inflight = 0;
  private oldestAtMs: number | undefined;
  private readonly queue: QueuedAppend[] = [];
  private flushing: Promise<void> | undefined;
  private lock: Promise<unknown> = Promise.resolve();
  private closed = false;
  private broken: Error | undefined;
  private readonly now: () => number;

  private constructor(private readonly options: DiskSpoolOptions) {
    this.now = options.now ?? Date.now;
  }

  static async open(options: DiskSpoolOptions): Promise<DiskSpool> {
    await mkdir(options.dir, { recursive: true, mode: 0o700 });
    const spool = new DiskSpool(options);
    await spool.load();
    return spool;
  }

  /** Records appended and not yet replayed (committed). */
  get pendingRecords(): number {
    return this.pending;
  }

  /** Pending records plus appends not yet durable: zero means nothing waits in or for the spool. */
  get backlog(): number {
    return this.pending + this.inflight;
  }

  /** Bytes the segments take on disk. */
  get bytes(): number {
    return this.diskBytes;
  }

  /** Append time of the oldest record not yet replayed, if any. */
  get oldestPendingAtMs(): number | undefined {
    return this.pending === 0 ? undefined : this.oldestAtMs;
  }

  /** Resolves once the record is on disk (fsync'd). Throws SpoolFullError, SpoolClosedError, or the write's error. */
  append(payload: Uint8Array): Promise<void> {
    if (this.closed) return Promise.reject(new SpoolClosedError());
    if (this.broken) return Promise.reject(this.broken);
    const appendedAtMs = this.now();
    const frame = encodeFrame(payload, appendedAtMs);
    const used = this.diskBytes + this.queuedBytes;
    if (used + frame.length > this.options.maxBytes) return Promise.reject(new SpoolFullError(used, this.options.maxBytes));
    this.queuedBytes += frame.length;
    this.inflight++;
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ frame, appendedAtMs, resolve, reject });
      void this.flush();
    });
  }

  /**
   * The next records to replay, in order: at most `maxRecords`, and at most `maxBytes` unless the
   * first record alone is larger; undefined when nothing is pending. Reads durable bytes only.
   */
  async read(maxRecords: number, maxBytes: number): Promise<SpoolRead | undefined> {
    for (;;) {
      await this.retireConsumed();
      const segment = this.current();
      if (segment === undefined) return undefined;
      const offset = this.offsetIn(segment);
      const available = segment.size - offset;
      if (available <= 0) return undefined;
      let buffer = await readRange(segment.file, offset, Math.min(available, maxBytes));
      const entries: SpoolEntry[] = [];
      let at = 0;
      let damage: string | undefined;
      while (entries.length < maxRecords && at < buffer.length) {
        const frame = readFrame(buffer, at);
        if (frame.kind === 'record') {
          entries.push({ payload: Buffer.from(frame.payload), appendedAtMs: frame.appendedAtMs });
          at = frame.end;
        } else if (frame.kind === 'incomplete' && entries.length === 0 && frame.needed !== undefined && frame.needed <= available && frame.needed > buffer.length) {
          buffer = await readRange(segment.file, offset, frame.needed);
        } else if (frame.kind === 'incomplete' && buffer.length < available) {
          break;
        } else {
          // Durable bytes that no longer read back: damaged on disk after they were written.
          damage = frame.kind === 'damaged' ? frame.reason : 'ends inside a record';
          break;
        }
      }
      if (entries.length > 0) {
        this.oldestAtMs = entries[0]!.appendedAtMs;
        return { entries, next: { segment: segment.seq, offset: offset + at } };
      }
      await this.setAside(segment, damage ?? 'unreadable record', offset);
    }
  }

  /** Marks the records of `read` replayed: the position moves past them durably; segments left behind are deleted. */
  async commit(read: SpoolRead): Promise<void> {
    await this.exclusive(async () => {
      const segment = this.segments.find((s) => s.seq === read.next.segment);
      this.position = read.next;
      await this.writePosition();
      if (segment) segment.consumed += read.entries.length;
      this.pending -= read.entries.length;
    });
    await this.retireConsumed();
  }

  /** Waits for queued appends, then closes the active segment; later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.exclusive(() => this.closeActive());
  }

  private async load(): Promise<void> {
    const { dir } = this.options;
    const positionFile = path.join(dir, POSITION_FILE);
    const position = await readPosition(positionFile);
    if (position === undefined) {
      // Unreadable (it is replaced atomically, so only outside damage does this): replay all that
      // is left from the start; storing a batch twice is harmless.
      this.options.onDamage?.({ kind: 'corrupt', segment: POSITION_FILE, reason: 'unreadable replay position; replaying from the first segment' });
    }
    this.position = position ?? { segment: 0, offset: 0 };
    const seqs = (await readdir(dir))
      .map((name) => SEGMENT_NAME.exec(name))
      .filter((match) => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => a - b);
    for (const seq of seqs) {
      const file = path.join(dir, segmentName(seq));
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
      // Behind the position: replayed; its deletion did not happen (or was not durable) before a crash.
      if (seq < this.position.segment) {
        await unlink(file);
        continue;
      }
      const from = seq === this.position.segment ? this.position.offset : 0;
      const scan = scanSegment(await readFile(file), from);
      if (scan.tail.kind === 'corrupt') {
        await rename(file, `${file}.corrupt`);
        this.options.onDamage?.({ kind: 'corrupt', segment: path.basename(file), reason: scan.tail.reason, at: scan.tail.at, recordsBefore: scan.records });
        continue;
      }
      if (scan.tail.kind === 'torn') {
        const handle = await open(file, 'r+');
        try {
          await handle.truncate(scan.validBytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        this.options.onDamage?.({ kind: 'torn', segment: path.basename(file), reason: scan.tail.reason, bytes: scan.tail.bytes });
      }
      this.segments.push({ seq, file, size: scan.validBytes, records: scan.records, consumed: scan.records - scan.recordsFrom });
      this.diskBytes += scan.validBytes;
      if (scan.recordsFrom > 0 && this.pending === 0) this.oldestAtMs = scan.firstAppendedAtMs;
      this.pending += scan.recordsFrom;
    }
    this.nextSeq = Math.max(this.nextSeq, this.position.segment);
  }

  /** The segment replay reads next: the first at or after the position. */
  private current(): Segment | undefined {
    return this.segments.find((s) => s.seq >= this.position.segment);
  }

  private offsetIn(segment: Segment): number {
    return segment.seq === this.position.segment ? this.position.offset : 0;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.lock.then(work, work);
    this.lock = run.catch(() => {});
    return run;
  }

  private flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        while (this.queue.length > 0) {
          const group = this.queue.splice(0);
          await this.exclusive(() => this.writeGroup(group));
        }
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing;
  }

  /** Writes the group in as few writes and fsyncs as the segment size allows; settles every append. */
  private async writeGroup(group: QueuedAppend[]): Promise<void> {
    let i = 0;
    try {
      while (i < group.length) {
        if (this.broken) throw this.broken;
        let segment = this.active;
        if (segment && segment.size > 0 && segment.size + group[i]!.frame.length > this.options.segmentBytes) {
          await this.closeActive();
          segment = undefined;
        }
        segment ??= await this.newSegment();
        let bytes = 0;
        let j = i;
        while (j < group.length && (j === i || segment.size + bytes + group[j]!.frame.length <= this.options.segmentBytes)) bytes += group[j++]!.frame.length;
        const data = j - i === 1 ? group[i]!.frame : Buffer.concat(group.slice(i, j).map((entry) => entry.frame), bytes);
        try {
          await writeFully(segment.handle!, data, segment.size);
          await segment.handle!.datasync();
        } catch (error) {
          await this.undoWrite(segment);
          throw error;
        }
        segment.size += bytes;
        segment.records += j - i;
        this.diskBytes += bytes;
        this.queuedBytes -= bytes;
        if (this.pending === 0) this.oldestAtMs = group[i]!.appendedAtMs;
        this.pending += j - i;
        this.inflight -= j - i;
        for (let k = i; k < j; k++) group[k]!.resolve();
        i = j;
      }
    } catch (error) {
      for (let k = i; k < group.length; k++) {
        this.queuedBytes -= group[k]!.frame.length;
        this.inflight--;
        group[k]!.reject(error);
      }
    }
  }

  /** After a failed write or fsync: back to the last durable size, and a fresh segment for the next append. */
  private async undoWrite(segment: Segment): Promise<void> {
    try {
      await segment.handle!.truncate(segment.size);
      await segment.handle!.datasync();
    } catch (error) {
      // The segment may now end in bytes nobody acknowledged, which the next open cuts off as a
      // torn tail; appending after them could hide them mid-segment, so no more appends.
      this.broken = new Error(`the spool cannot undo a failed write: ${(error as Error).message}`);
    }
    await this.closeActive().catch(() => {});
  }

  private async newSegment(): Promise<Segment> {
    const seq = this.nextSeq++;
    const file = path.join(this.options.dir, segmentName(seq));
    const handle = await open(file, 'wx', 0o600);
    await syncDirectory(this.options.dir);
    const segment: Segment = { seq, file, size: 0, records: 0, consumed: 0, handle };
    this.segments.push(segment);
    this.active = segment;
    return segment;
  }

  private async closeActive(): Promise<void> {
    const handle = this.active?.handle;
    if (this.active) this.active.handle = undefined;
    this.active = undefined;
    await handle?.close();
  }

  /** Deletes the segments replay has moved past (the active one too, once fully replayed: the next append starts a new one). */
  private retireConsumed(): Promise<void> {
    return this.exclusive(async () => {
      for (;;) {
        const segment = this.current();
        if (segment === undefined || this.offsetIn(segment) < segment.size) return;
        if (segment === this.active) await this.closeActive();
        await this.drop(segment, async () => unlink(segment.file));
      }
    });
  }

  /** A segment whose durable bytes no longer read back: renamed `.corrupt`, its unreplayed records counted out. */
  private async setAside(segment: Segment, reason: string, at: number): Promise<void> {
    await this.exclusive(async () => {
      if (!this.segments.includes(segment)) return;
      if (segment === this.active) await this.closeActive();
      this.pending -= segment.records - segment.consumed;
      await this.drop(segment, async () => rename(segment.file, `${segment.file}.corrupt`));
    });
    this.options.onDamage?.({ kind: 'corrupt', segment: path.basename(segment.file), reason, at, recordsBefore: segment.consumed });
  }

  /** The position moves past the segment (durably) before its file goes. */
  private async drop(segment: Segment, remove: () => Promise<void>): Promise<void> {
    this.position = { segment: segment.seq + 1, offset: 0 };
    await this.writePosition();
    await remove();
    this.segments.splice(this.segments.indexOf(segment), 1);
    this.diskBytes -= segment.size;
  }

  private async writePosition(): Promise<void> {
    const file = path.join(this.options.dir, POSITION_FILE);
    const temporary = `${file}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(this.position));
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temporary, file);
    await syncDirectory(this.options.dir);
  }
}

/** The replay position; undefined when the file is there but not one. */
async function readPosition(file: string): Promise<SpoolPosition | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { segment: 0, offset: 0 };
    throw error;
  }
  try {
    const position = JSON.parse(text) as SpoolPosition;
    if (Number.isSafeInteger(position.segment) && Number.isSafeInteger(position.offset) && position.segment >= 0 && position.offset >= 0) return { segment: position.segment, offset: position.offset };
  } catch {
    // not JSON
  }
  return undefined;
}

async function readRange(file: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, offset + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } finally {
    await handle.close();
  }
}

async function writeFully(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < data.length) {
    const { bytesWritten } = await handle.write(data, written, data.length - written, position + written);
    written += bytesWritten;
  }
}

/** Makes a file's creation, rename or deletion in `dir` durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
