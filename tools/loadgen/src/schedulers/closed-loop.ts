// Closed loop: N workers, each sends its next call as soon as the previous one finished.
// Throughput is whatever the server sustains at that concurrency; latency is from actual send.
import type { CallSlot } from '../call-slot.js';
import type { Clock } from '../clock.js';
import type { Dispatch, RunWindow, Scheduler, SchedulerStats, SlotFactory } from './scheduler.js';

export interface ClosedLoopOptions {
  readonly concurrency: number;
  readonly window: RunWindow;
  readonly clock: Clock;
  readonly dispatch: Dispatch;
  readonly createSlot: SlotFactory;
}

export class ClosedLoopScheduler implements Scheduler {
  private inflightCount = 0;
  private sent = 0;
  private stopped = false;
  private resolveDrained: (() => void) | undefined;

  constructor(private readonly options: ClosedLoopOptions) {
    if (!(options.concurrency >= 1)) throw new RangeError('concurrency must be >= 1');
  }

  get inflight(): number {
    return this.inflightCount;
  }

  run(): Promise<void> {
    const drained = new Promise<void>((resolve) => (this.resolveDrained = resolve));
    for (let id = 0; id < this.options.concurrency; id++) {
      if (!this.trySend(this.options.createSlot(id))) break;
    }
    this.resolveIfDrained();
    return drained;
  }

  release(slot: CallSlot): void {
    this.inflightCount--;
    if (!this.trySend(slot)) this.resolveIfDrained();
  }

  stop(): void {
    this.stopped = true;
    this.resolveIfDrained();
  }

  stats(): SchedulerStats {
    return { sent: this.sent, late: 0, delayedByInflightCap: 0, dropped: 0 };
  }

  private trySend(slot: CallSlot): boolean {
    const { window, clock, dispatch } = this.options;
    const now = clock.now();
    if (this.stopped || now >= window.endMs || this.sent >= window.maxMeasuredRequests) return false;
    if (now >= window.measureStartMs) this.sent++;
    this.inflightCount++;
    dispatch(slot, now);
    return true;
  }

  private resolveIfDrained(): void {
    if (this.inflightCount === 0 && this.resolveDrained !== undefined) {
      this.stopped = true;
      this.resolveDrained();
      this.resolveDrained = undefined;
    }
  }
}
