// Open loop at a fixed rate, corrected for coordinated omission: call i is *intended* to start at
// start + i/rate whatever happened before it. A call sent late (slow timer, busy event loop, or no
// free slot under --max-inflight) is sent as soon as possible and its latency is still charged
// from the intended time, so a stalled server shows up in the percentiles instead of silently
// lowering the offered load.
import type { CallSlot } from '../call-slot.js';
import type { Clock, Timers } from '../clock.js';
import type { Dispatch, RunWindow, Scheduler, SchedulerStats, SlotFactory } from './scheduler.js';

export interface OpenLoopOptions {
  /** Calls per second. */
  readonly rate: number;
  /** Most calls in flight at once; further due calls wait for a slot (counted as delayed). */
  readonly maxInflight: number;
  readonly window: RunWindow;
  readonly clock: Clock;
  readonly timers: Timers;
  readonly dispatch: Dispatch;
  readonly createSlot: SlotFactory;
  /** A call sent later than this after its intended time counts as late. */
  readonly lateThresholdMs?: number;
}

export class OpenLoopScheduler implements Scheduler {
  private readonly periodMs: number;
  /** Index of the first call that will not be sent (end of window or request bound). */
  private readonly endIndex: number;
  private readonly firstMeasuredIndex: number;
  private readonly lateThresholdMs: number;
  private readonly freeSlots: CallSlot[] = [];
  private createdSlots = 0;
  private nextIndex = 0;
  private inflightCount = 0;
  private late = 0;
  private delayedByInflightCap = 0;
  private dropped = 0;
  private blockedIndex = -1;
  private issuing = true;
  private timer: unknown;
  private resolveDrained: (() => void) | undefined;

  constructor(private readonly options: OpenLoopOptions) {
    const { rate, maxInflight, window } = options;
    if (!(rate > 0 && Number.isFinite(rate))) throw new RangeError('rate must be a positive number');
    if (!(maxInflight >= 1)) throw new RangeError('maxInflight must be >= 1');
    this.periodMs = 1000 / rate;
    this.lateThresholdMs = options.lateThresholdMs ?? 1;
    // Index i is intended at startMs + i * period; count the indexes before each boundary.
    this.firstMeasuredIndex = Math.max(0, Math.ceil((window.measureStartMs - window.startMs) / this.periodMs));
    const byTime = Math.ceil((window.endMs - window.startMs) / this.periodMs);
    const byCount = this.firstMeasuredIndex + window.maxMeasuredRequests;
    this.endIndex = Math.min(byTime, byCount);
    if (!Number.isFinite(this.endIndex)) throw new RangeError('an open-loop run needs a duration or a request bound');
  }

  /** When call `index` is intended to start. */
  intendedStartMs(index: number): number {
    return this.options.window.startMs + index * this.periodMs;
  }

  get inflight(): number {
    return this.inflightCount;
  }

  run(): Promise<void> {
    const drained = new Promise<void>((resolve) => (this.resolveDrained = resolve));
    this.tick();
    return drained;
  }

  /** Sends every call that is due and has a slot, then arms a timer for the next one. */
  readonly tick = (): void => {
    this.timer = undefined;
    const { clock, timers, dispatch, window, maxInflight } = this.options;
    while (this.issuing) {
      if (this.nextIndex >= this.endIndex) {
        this.finishIssuing();
        break;
      }
      const now = clock.now();
      if (now >= window.endMs && this.blockedIndex === this.nextIndex) {
        // Calls still queued behind the in-flight cap when the window closes are dropped rather than
        // burst out after the end; calls merely late from a slow timer are still sent (and charged).
        this.dropped += this.endIndex - Math.max(this.nextIndex, this.firstMeasuredIndex);
        this.finishIssuing();
        break;
      }
      if (this.nextIndex < this.firstMeasuredIndex && now >= window.measureStartMs) {
        // Warmup calls still unsent when the measured window opens (the target or this process
        // fell behind during warmup) are skipped: they would not be recorded, and sending them
        // first would fill the measured window with the warmup's backlog.
        this.nextIndex = this.firstMeasuredIndex;
        continue;
      }
      const intended = this.intendedStartMs(this.nextIndex);
      if (intended > now) {
        this.timer = timers.setTimeout(this.tick, intended - now);
        break;
      }
      let slot = this.freeSlots.pop();
      if (slot === undefined && this.createdSlots < maxInflight) slot = this.options.createSlot(this.createdSlots++);
      if (slot === undefined) {
        // At the in-flight cap: `release` resumes sending; count each waiting call once.
        if (this.blockedIndex !== this.nextIndex && this.nextIndex >= this.firstMeasuredIndex) this.delayedByInflightCap++;
        this.blockedIndex = this.nextIndex;
        break;
      }
      const measured = this.nextIndex >= this.firstMeasuredIndex;
      if (measured && now - intended > this.lateThresholdMs) this.late++;
      this.nextIndex++;
      this.inflightCount++;
      dispatch(slot, intended);
    }
    this.resolveIfDrained();
  };

  release(slot: CallSlot): void {
    this.inflightCount--;
    this.freeSlots.push(slot);
    if (this.issuing && this.timer === undefined) this.tick();
    else this.resolveIfDrained();
  }

  stop(): void {
    if (this.issuing) {
      this.dropped += Math.max(0, this.endIndex - Math.max(this.nextIndex, this.firstMeasuredIndex));
      this.finishIssuing();
    }
    this.resolveIfDrained();
  }

  stats(): SchedulerStats {
    const sent = Math.max(0, this.nextIndex - this.firstMeasuredIndex);
    return { sent, late: this.late, delayedByInflightCap: this.delayedByInflightCap, dropped: this.dropped };
  }

  private finishIssuing(): void {
    this.issuing = false;
    if (this.timer !== undefined) this.options.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private resolveIfDrained(): void {
    if (!this.issuing && this.inflightCount === 0 && this.resolveDrained !== undefined) {
      this.resolveDrained();
      this.resolveDrained = undefined;
    }
  }
}
