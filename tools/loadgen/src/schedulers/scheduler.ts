import type { CallSlot } from '../call-slot.js';

/** The run's time window, in the scheduler clock's milliseconds. */
export interface RunWindow {
  readonly startMs: number;
  /** Calls intended to start before this are warmup: sent, not recorded, not counted. */
  readonly measureStartMs: number;
  /** No call is sent at or after this (Infinity when only a request count bounds the run). */
  readonly endMs: number;
  /** Bound on measured calls (Infinity for none). */
  readonly maxMeasuredRequests: number;
}

/** Starts a call; latency will be charged from `intendedStartMs`. */
export type Dispatch = (slot: CallSlot, intendedStartMs: number) => void;

export type SlotFactory = (id: number) => CallSlot;

export interface SchedulerStats {
  /** Measured calls sent. */
  readonly sent: number;
  /** Measured calls sent more than `lateThresholdMs` after their intended time (open loop). */
  readonly late: number;
  /** Measured calls that had to wait for a free slot because --max-inflight was reached (open loop). */
  readonly delayedByInflightCap: number;
  /** Measured calls due before the end that were never sent because every slot stayed busy (open loop). */
  readonly dropped: number;
}

export interface Scheduler {
  /** Sends until the window closes; resolves once every call has finished. */
  run(): Promise<void>;
  /** Gives a finished call's slot back (called after the call was recorded). */
  release(slot: CallSlot): void;
  /** Stops sending now (e.g. on SIGINT); in-flight calls still finish. */
  stop(): void;
  readonly inflight: number;
  stats(): SchedulerStats;
}
