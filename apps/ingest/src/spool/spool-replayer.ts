import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@feedmesh/telemetry';
import type { DiskSpool, SpoolEntry } from './disk-spool.js';
import { backoffDelayMs, REPLAY_BACKOFF, type BackoffOptions } from '../backoff.js';

export interface SpoolReplayerOptions {
  spool: DiskSpool;
  /** Stores the entries (all or, on a throw, possibly some: storing again must be harmless). */
  store: (entries: SpoolEntry[]) => Promise<void>;
  /** A failure of the store's availability: retried with backoff for as long as it lasts. */
  isTransient: (error: unknown) => boolean;
  /** Where entries go that fail otherwise, again and again, one by one: kept, not retried forever. */
  setAside: (entries: SpoolEntry[], error: unknown) => Promise<void>;
  logger: Logger;
  backoff?: BackoffOptions;
  /** Records per store call (the store may split them further). */
  maxRecords?: number;
  maxBytes?: number;
  /** Tries of an entry that fails with another error before it is set aside. */
  maxFailures?: number;
  /** Without a wake(): how often to look at the spool anyway. */
  idleCheckMs?: number;
}

const FAILURE_LOG_INTERVAL_MS = 10_000;

/**
 * Replays a spool in order, one read at a time: store, then commit (the position moves on
 * durably), so after a crash at most the last read is stored again, which dedupe makes
 * harmless. While the store is unavailable the same read is retried with exponential backoff and
 * full jitter (100 ms → 10 s); a read that fails otherwise is retried a few times, then stored
 * record by record so that only the records that still fail are set aside.
 */
export class SpoolReplayer {
  private loop: Promise<void> | undefined;
  private stopped = false;
  private readonly abort = new AbortController();
  private woken = false;
  private wakeIdle: (() => void) | undefined;
  private lastFailureLogMs = -Infinity;
  private unloggedFailures = 0;

  constructor(private readonly options: SpoolReplayerOptions) {}

  start(): void {
    this.loop ??= this.run().catch((error: unknown) => this.options.logger.error({ err: error }, 'spool replay stopped on an unexpected error'));
  }

  /** Something was appended: look now instead of at the next idle check. */
  wake(): void {
    this.woken = true;
    this.wakeIdle?.();
  }

  /** Stops after the store call in progress (its read is replayed again on the next start). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wakeIdle?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const { spool, logger } = this.options;
    let diskFailures = 0;
    while (!this.stopped) {
      try {
        const read = await spool.read(this.options.maxRecords ?? 500, this.options.maxBytes ?? 4 * 1024 * 1024);
        if (read === undefined) {
          await this.idle();
          continue;
        }
        if (!(await this.replay(read.entries))) return;
        await spool.commit(read);
        diskFailures = 0;
      } catch (error) {
        // The spool's own disk failed (read or commit): the records stay where they are.
        logger.error({ err: error }, 'spool replay: reading or committing the spool failed; retrying');
        await this.pause(backoffDelayMs(diskFailures++, this.options.backoff ?? REPLAY_BACKOFF));
      }
    }
  }

  /** Stores the entries; false when stopped before they were. */
  private async replay(entries: SpoolEntry[]): Promise<boolean> {
    const { store, isTransient } = this.options;
    const backoff = this.options.backoff ?? REPLAY_BACKOFF;
    let transient = 0;
    let failures = 0;
    for (;;) {
      if (this.stopped) return false;
      try {
        await store(entries);
        if (transient + failures > 0) this.options.logger.info({ records: entries.length, retries: transient + failures }, 'spool replay: the store is back');
        return true;
      } catch (error) {
        if (this.stopped) return false;
        if (isTransient(error)) {
          this.logFailure(error, 'spool replay: the store is unavailable; retrying with backoff');
          await this.pause(backoffDelayMs(transient++, backoff));
          continue;
        }
        failures++;
        this.options.logger.warn({ err: error, records: entries.length, failures }, 'spool replay: storing failed');
        if (failures < (this.options.maxFailures ?? 3)) {
          await this.pause(backoffDelayMs(failures, backoff));
          continue;
        }
        if (entries.length > 1) {
          for (const entry of entries) if (!(await this.replay([entry]))) return false;
          return true;
        }
        await this.options.setAside(entries, error);
        return true;
      }
    }
  }

  private logFailure(error: unknown, message: string): void {
    const now = Date.now();
    if (now - this.lastFailureLogMs < FAILURE_LOG_INTERVAL_MS) {
      this.unloggedFailures++;
      return;
    }
    this.options.logger.warn({ err: error, pendingRecords: this.options.spool.pendingRecords, unloggedSinceLast: this.unloggedFailures }, message);
    this.lastFailureLogMs = now;
    this.unloggedFailures = 0;
  }

  private async pause(ms: number): Promise<void> {
    await sleep(ms, undefined, { signal: this.abort.signal }).catch(() => {});
  }

  private async idle(): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.options.idleCheckMs ?? 1_000);
      this.wakeIdle = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wakeIdle = undefined;
    this.woken = false;
  }
}
