import { createHash } from 'node:crypto';
import { mkdir, open, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ConnectError } from '@connectrpc/connect';
import { unavailable } from '@feedmesh/service-kit';
import { storeFailureKind } from '@feedmesh/storage';
import { Counter, Gauge, type Registry } from 'prom-client';
import { MAX_EVENTS_PER_BATCH, type EngagementRecord, type RecordRejection } from '../engagement/engagement-record.js';
import { recordEngagement, type EngagementOutcome, type RecordEngagementDeps } from '../engagement/record-engagement.js';
import { DiskSpool, SpoolFullError, type SpoolDamage, type SpoolEntry } from './disk-spool.js';
import { SpoolReplayer } from './spool-replayer.js';
import { checkPrivate, claimSpoolSlot, type SpoolSlot } from './spool-slot.js';
import { decodeSpooledBatch, encodeSpooledBatch } from './spooled-batch.js';

export interface EngagementSpoolSettings {
  /** INGEST_SPOOL_DIR; empty = defaultSpoolRoot(). */
  root: string;
  /** INGEST_SPOOL_MAX_BYTES (> 0). */
  maxBytes: number;
  /** INGEST_SPOOL_SEGMENT_BYTES. */
  segmentBytes: number;
  /** The store the spooled batches belong to: only a process writing the same database adopts them. */
  databaseUrl: string;
}

/** What RecordEngagement answers: the store's outcome, or the spool's (`spooled`). */
export interface RecordedEngagement extends EngagementOutcome {
  spooled: boolean;
}

/** Anything that stores a validated batch as RecordEngagement does (the spool, or the store alone without one). */
export type EngagementRecorder = (records: EngagementRecord[], rejections: RecordRejection[]) => Promise<RecordedEngagement>;

/** Without a spool (INGEST_SPOOL_MAX_BYTES=0): the store or its error. */
export function directRecorder(deps: RecordEngagementDeps): EngagementRecorder {
  return async (records, rejections) => ({ ...(await recordEngagement(deps, records, rejections)), spooled: false });
}

const FAILURE_LOG_INTERVAL_MS = 10_000;
const KNOWN_FILES = new Set(['lock', 'position', 'position.tmp']);

/**
 * The spool's directory for one database: `<root>/<database name>-<hash of host, port and name>`,
 * so a spool is only ever replayed into the database it was accepted for (tests, or deployments
 * sharing a host, use other databases under the same root).
 */
export function spoolDirectoryFor(root: string, databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const identity = `${url.hostname}:${url.port || '5432'}/${database}`;
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, 12);
  return path.join(root || defaultSpoolRoot(), `${database.replace(/[^A-Za-z0-9_.-]/g, '_')}-${hash}`);
}

/** Under the OS temp directory, one per user (a spool is its user's alone: spool-slot.ts). */
export function defaultSpoolRoot(): string {
  return path.join(os.tmpdir(), `feedmesh-ingest-spool-${process.getuid?.() ?? 'user'}`);
}

class SpoolMetrics {
  readonly appends: Counter<'outcome'>;
  readonly replayed: Counter<'outcome'>;
  readonly setAside: Counter;
  readonly damage: Counter<'kind'>;

  constructor(registry: Registry | undefined, spool: () => DiskSpool | undefined) {
    const registers = registry ? [registry] : [];
    this.appends = new Counter({
      name: 'ingest_spool_appends_total',
      help: 'Engagement batches offered to the spool (Postgres unavailable, or the spool not yet drained): spooled, or refused (full, or the disk failed: the caller got Unavailable).',
      labelNames: ['outcome'],
      registers,
    });
    this.replayed = new Counter({
      name: 'ingest_spool_replayed_records_total',
      help: 'Spooled engagement records written to the store by replay: stored, duplicate (already stored), or rejected (an unknown or deleted user or item, found only then).',
      labelNames: ['outcome'],
      registers,
    });
    this.setAside = new Counter({ name: 'ingest_spool_dead_letter_records_total', help: 'Spooled records the store kept failing on (not for availability): kept in dead-letter.jsonl, not retried.', registers });
    this.damage = new Counter({
      name: 'ingest_spool_damage_total',
      help: 'Damage found in the spool: torn (an unacknowledged last append, cut off on open), corrupt (a segment set aside as .corrupt).',
      labelNames: ['kind'],
      registers,
    });
    new Gauge({ name: 'ingest_spool_bytes', help: 'Bytes the spool segments take on disk.', registers, collect: collector(spool, (s) => s.bytes) });
    new Gauge({ name: 'ingest_spool_pending_records', help: 'Spooled engagement batches not yet replayed into the store.', registers, collect: collector(spool, (s) => s.pendingRecords) });
    new Gauge({
      name: 'ingest_spool_oldest_pending_age_seconds',
      help: 'Age of the oldest spooled batch not yet replayed (0 when none).',
      registers,
      collect: collector(spool, (s) => (s.oldestPendingAtMs === undefined ? 0 : Math.max(0, Date.now() - s.oldestPendingAtMs) / 1000)),
    });
  }
}

function collector(spool: () => DiskSpool | undefined, value: (spool: DiskSpool) => number) {
  return function (this: Gauge) {
    const s = spool();
    this.set(s ? value(s) : 0);
  };
}

/**
 * RecordEngagement's durability when Postgres is unreachable. A validated batch goes to the store
 * as always; when the store fails for its availability (storeFailureKind 'unavailable': refused,
 * terminated, timed out) it is appended to this process' spool instead (fsync'd before the
 * answer) and answered `spooled`: counted in accepted, duplicates and unknown ids known only at
 * replay. While the spool holds anything, new batches join it behind the rest instead of trying
 * the store: answers stay fast during an outage (no connect timeout per call), and replay order is
 * arrival order. The replayer writes the spool to the store through the same recordEngagement
 * (dedupe on the natural key makes a replayed batch harmless) and the spool drains; then batches
 * go to the store directly again. A full spool refuses with Unavailable, nothing of it written;
 * while replay catches up, a batch the full spool refuses tries the store instead (engagement
 * does not depend on order), Unavailable only if that fails too.
 */
/** Share of the spool kept free before readiness turns it away (a batch in flight still fits). */
const READY_SPOOL_HEADROOM = 0.05;

export class EngagementSpool {
  private spool: DiskSpool | undefined;
  private replayer: SpoolReplayer | undefined;
  private slot: SpoolSlot | undefined;
  private readonly metrics: SpoolMetrics;
  private lastOutageLogMs = -Infinity;
  private unloggedOutages = 0;

  private constructor(
    private readonly deps: RecordEngagementDeps,
    private readonly settings: EngagementSpoolSettings,
    registry: Registry | undefined,
  ) {
    this.metrics = new SpoolMetrics(registry, () => this.spool);
  }

  /** Claims a slot, scans it (cutting torn tails, setting corrupt segments aside) and starts replaying what it holds. */
  static async open(deps: RecordEngagementDeps, settings: EngagementSpoolSettings, registry?: Registry): Promise<EngagementSpool> {
    const spool = new EngagementSpool(deps, settings, registry);
    await spool.openSpool();
    return spool;
  }

  /** The slot directory in use. */
  get dir(): string {
    return this.slot!.dir;
  }

  get backlog(): number {
    return this.spool?.backlog ?? 0;
  }

  /**
   * Readiness while the store is down: the spool takes engagement until it is full, so the
   * instance stays ready (a load balancer keeps sending it batches) until it has less than
   * READY_SPOOL_HEADROOM of its room left.
   */
  get canTakeBatches(): boolean {
    const spool = this.spool;
    return spool !== undefined && spool.bytes < this.settings.maxBytes * (1 - READY_SPOOL_HEADROOM);
  }

  private async openSpool(): Promise<void> {
    const { logger } = this.deps;
    const databaseDir = spoolDirectoryFor(this.settings.root, this.settings.databaseUrl);
    try {
      await mkdir(path.dirname(databaseDir), { recursive: true, mode: 0o700 });
      await checkPrivate(path.dirname(databaseDir), true);
      this.slot = await claimSpoolSlot(databaseDir);
    } catch (error) {
      throw new Error(`INGEST_SPOOL_DIR: cannot use ${databaseDir}: ${(error as Error).message}`, { cause: error });
    }
    try {
      this.spool = await DiskSpool.open({ dir: this.slot.dir, maxBytes: this.settings.maxBytes, segmentBytes: this.settings.segmentBytes, onDamage: (damage) => this.onDamage(damage) });
    } catch (error) {
      await this.slot.release();
      throw error;
    }
    const spool = this.spool;
    if (spool.pendingRecords > 0) logger.warn({ dir: this.slot.dir, pendingRecords: spool.pendingRecords, bytes: spool.bytes }, 'engagement spool holds batches from before; replaying them');
    this.replayer = new SpoolReplayer({
      spool,
      logger,
      store: (entries) => this.replay(entries),
      isTransient: (error) => storeFailureKind(error) !== undefined,
      setAside: (entries, error) => this.deadLetter(databaseDir, entries, error),
    });
    this.replayer.start();
  }

  /** RecordEngagement's store step (see the class). */
  readonly record: EngagementRecorder = async (records, rejections) => {
    // Nothing valid: no store call, the caller gets InvalidArgument.
    if (records.length === 0 || this.spool === undefined) return { ...(await recordEngagement(this.deps, records, rejections)), spooled: false };
    if (this.spool.backlog > 0) {
      try {
        return await this.toSpool(records, rejections);
      } catch (error) {
        // Full (or its disk failing) while replay catches up: the store may be back already, and
        // engagement does not depend on order (counters add up, duplicates are skipped), so try it.
        if (!(error instanceof ConnectError)) throw error;
        return this.direct(records, rejections, error);
      }
    }
    return this.direct(records, rejections);
  };

  /** The store; the spool when it is unavailable (unless the spool just refused: then Unavailable). */
  private async direct(records: EngagementRecord[], rejections: RecordRejection[], spoolRefusal?: ConnectError): Promise<RecordedEngagement> {
    try {
      return { ...(await recordEngagement(this.deps, records, rejections)), spooled: false };
    } catch (error) {
      if (storeFailureKind(error) !== 'unavailable') throw error;
      if (spoolRefusal) throw spoolRefusal;
      this.logOutage(error);
      return this.toSpool(records, rejections, error);
    }
  }

  /** Stops replaying (after the store call in progress), waits for queued appends, releases the slot (removing it when empty). */
  async close(): Promise<void> {
    await this.replayer?.stop();
    await this.spool?.close();
    const slot = this.slot;
    if (!slot) return;
    const empty = this.spool?.backlog === 0 && (await readdir(slot.dir)).every((name) => KNOWN_FILES.has(name));
    await slot.release({ remove: empty });
  }

  private async toSpool(records: EngagementRecord[], rejections: RecordRejection[], storeError?: unknown): Promise<RecordedEngagement> {
    try {
      await this.spool!.append(encodeSpooledBatch(records));
    } catch (error) {
      const full = error instanceof SpoolFullError;
      this.metrics.appends.labels(full ? 'full' : 'failed').inc();
      if (!full) this.deps.logger.error({ err: error, dir: this.slot?.dir }, 'engagement spool: append failed');
      throw unavailable(`${full ? 'engagement spool full' : 'engagement spool append failed'}: ${(error as Error).message}`, { component: 'the engagement spool', cause: storeError ?? error });
    }
    this.metrics.appends.labels('spooled').inc();
    this.replayer?.wake();
    const errors = [...rejections].sort((a, b) => a.index - b.index);
    return { accepted: records.length, rejected: errors.length, duplicates: 0, errors, spooled: true };
  }

  /** One replay read: its batches' records through recordEngagement, MAX_EVENTS_PER_BATCH at a time. */
  private async replay(entries: SpoolEntry[]): Promise<void> {
    const records: EngagementRecord[] = [];
    for (const entry of entries) records.push(...decodeSpooledBatch(entry.payload, records.length));
    let stored = 0;
    let duplicates = 0;
    const rejected: Array<{ userId: string; itemId: string; field: string; reason: string }> = [];
    for (let from = 0; from < records.length; from += MAX_EVENTS_PER_BATCH) {
      const chunk = records.slice(from, from + MAX_EVENTS_PER_BATCH);
      const outcome = await recordEngagement(this.deps, chunk, []);
      stored += outcome.accepted;
      duplicates += outcome.duplicates;
      for (const error of outcome.errors) {
        const record = records[error.index]!;
        rejected.push({ userId: record.userId, itemId: record.itemId, field: error.field, reason: error.reason });
      }
    }
    this.metrics.replayed.labels('stored').inc(stored);
    this.metrics.replayed.labels('duplicate').inc(duplicates);
    this.metrics.replayed.labels('rejected').inc(rejected.length);
    if (rejected.length > 0) {
      this.deps.logger.warn({ rejected: rejected.length, examples: rejected.slice(0, 5) }, 'spool replay: the store rejected spooled records (unknown or deleted user or item); they are dropped, as they would have been if stored at once');
    }
  }

  /** Appends entries the store keeps failing on to `<database dir>/dead-letter.jsonl` (fsync'd): kept for an operator, not retried. */
  private async deadLetter(databaseDir: string, entries: SpoolEntry[], error: unknown): Promise<void> {
    const lines = entries.map((entry) => JSON.stringify({ spooledAt: new Date(entry.appendedAtMs).toISOString(), error: (error as Error)?.message ?? String(error), batch: JSON.parse(entry.payload.toString('utf8')) as unknown }) + '\n');
    const handle = await open(path.join(databaseDir, 'dead-letter.jsonl'), 'a', 0o600);
    try {
      await handle.writeFile(lines.join(''));
      await handle.sync();
    } finally {
      await handle.close();
    }
    this.metrics.setAside.inc(entries.length);
    this.deps.logger.error({ err: error, batches: entries.length, file: path.join(databaseDir, 'dead-letter.jsonl') }, 'spool replay: batches the store keeps failing on were moved to the dead-letter file');
  }

  private onDamage(damage: SpoolDamage): void {
    this.metrics.damage.labels(damage.kind).inc();
    if (damage.kind === 'torn') this.deps.logger.warn({ ...damage, dir: this.slot?.dir }, 'engagement spool: cut off an unfinished last append (never acknowledged)');
    else this.deps.logger.error({ ...damage, dir: this.slot?.dir }, 'engagement spool: a corrupt segment was set aside (renamed .corrupt); its records are not replayed');
  }

  private logOutage(error: unknown): void {
    const now = Date.now();
    if (now - this.lastOutageLogMs < FAILURE_LOG_INTERVAL_MS) {
      this.unloggedOutages++;
      return;
    }
    this.deps.logger.warn({ err: error, unloggedSinceLast: this.unloggedOutages }, 'the item store is unavailable: engagement batches go to the spool');
    this.lastOutageLogMs = now;
    this.unloggedOutages = 0;
  }
}
