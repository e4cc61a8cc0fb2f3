import { describe, expect, it } from 'vitest';
import { CallSlot } from '../call-slot.js';
import type { Clock, Timers } from '../clock.js';
import { OpenLoopScheduler } from './open-loop.js';
import type { RunWindow } from './scheduler.js';

/** A manual clock whose timers fire only when the test advances time. */
class ManualTime implements Clock, Timers {
  private current: number;
  private timers: { at: number; callback: () => void; id: number }[] = [];
  private nextId = 0;

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, delayMs: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.current + delayMs, callback, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  /** Moves time to `to`, firing due timers in order (a stalled event loop fires them late, all at `to`). */
  advanceTo(to: number, { stalled = false } = {}): void {
    for (;;) {
      const due = this.timers.filter((timer) => timer.at <= to).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      if (!stalled) this.current = Math.max(this.current, due.at);
      else this.current = to;
      due.callback();
    }
    this.current = to;
  }
}

interface Sent {
  slot: CallSlot;
  intended: number;
  sentAt: number;
}

function harness(options: { rate: number; maxInflight: number; window: Partial<RunWindow>; start?: number }) {
  const start = options.start ?? 1000;
  const time = new ManualTime(start);
  const window: RunWindow = { startMs: start, measureStartMs: start, endMs: start + 100, maxMeasuredRequests: Infinity, ...options.window };
  const sent: Sent[] = [];
  const latencies: number[] = [];
  // Mirrors runLoad: latency is charged from the intended start, measured calls only.
  const onFinish = (slot: CallSlot): void => {
    if (slot.intendedStartMs >= window.measureStartMs) latencies.push(time.now() - slot.intendedStartMs);
    scheduler.release(slot);
  };
  const scheduler = new OpenLoopScheduler({
    rate: options.rate,
    maxInflight: options.maxInflight,
    window,
    clock: time,
    timers: time,
    createSlot: (id) => new CallSlot(id, onFinish),
    dispatch: (slot, intended) => {
      slot.intendedStartMs = intended;
      sent.push({ slot, intended, sentAt: time.now() });
    },
  });
  const done = scheduler.run();
  return { time, sent, latencies, scheduler, done };
}

describe('OpenLoopScheduler', () => {
  it('intends call i at start + i / rate and sends each on time when the loop keeps up', async () => {
    const { time, sent, scheduler, done } = harness({ rate: 100, maxInflight: 10, window: {} });
    for (let t = 1000; t <= 1100; t++) {
      time.advanceTo(t);
      for (const call of sent.splice(0)) call.slot.finish(0);
    }
    await done;
    expect(scheduler.stats()).toEqual({ sent: 10, late: 0, delayedByInflightCap: 0, dropped: 0 });
    expect(Array.from({ length: 10 }, (_, i) => scheduler.intendedStartMs(i))).toEqual([1000, 1010, 1020, 1030, 1040, 1050, 1060, 1070, 1080, 1090]);
  });

  it('sends calls missed during a stall at once and charges latency from their intended time', async () => {
    const { time, sent, latencies, scheduler, done } = harness({ rate: 100, maxInflight: 10, window: {} });
    const intendedOfSent: number[] = [];
    const sentAt: number[] = [];
    time.advanceTo(1000);
    // The event loop stalls for 55 ms: calls 1..5 (intended 1010..1050) all go out at 1055.
    time.advanceTo(1055, { stalled: true });
    for (const call of sent.splice(0)) {
      intendedOfSent.push(call.intended);
      sentAt.push(call.sentAt);
      time.advanceTo(1056);
      call.slot.finish(0);
    }
    expect(intendedOfSent).toEqual([1000, 1010, 1020, 1030, 1040, 1050]);
    expect(sentAt).toEqual([1000, 1055, 1055, 1055, 1055, 1055]);
    expect(latencies).toEqual([56, 46, 36, 26, 16, 6]);
    expect(scheduler.stats().late).toBe(5);
    time.advanceTo(1200);
    for (const call of sent.splice(0)) call.slot.finish(0);
    await done;
    expect(scheduler.stats().sent).toBe(10);
  });

  it('holds due calls while --max-inflight is reached, counts them once, and charges the wait', async () => {
    const { time, sent, latencies, scheduler, done } = harness({ rate: 100, maxInflight: 2, window: {} });
    time.advanceTo(1045); // calls 0 and 1 are in flight and slow; 2..4 are due but have no slot
    expect(sent.map((call) => call.intended)).toEqual([1000, 1010]);
    expect(scheduler.stats().delayedByInflightCap).toBe(1);
    expect(scheduler.inflight).toBe(2);
    sent.shift()!.slot.finish(0); // frees one slot at 1045: call 2 (intended 1020) goes out
    expect(sent.map((call) => call.intended)).toEqual([1010, 1020]);
    expect(scheduler.stats().delayedByInflightCap).toBe(2);
    for (const call of sent.splice(0)) call.slot.finish(0); // at 1045: calls 3 and 4 go out on the freed slots
    time.advanceTo(1046);
    for (const call of sent.splice(0)) call.slot.finish(0);
    expect(latencies.slice(0, 4)).toEqual([45, 35, 25, 16]); // call 3 (intended 1030) finished at 1046
    for (let t = 1047; t <= 1100; t++) {
      time.advanceTo(t);
      for (const call of sent.splice(0)) call.slot.finish(0);
    }
    await done;
    expect(scheduler.stats()).toMatchObject({ sent: 10, dropped: 0 });
  });

  it('drops the calls that were still waiting for a slot when the window closed', async () => {
    const { time, sent, scheduler, done } = harness({ rate: 100, maxInflight: 1, window: {} });
    time.advanceTo(1015); // call 1 is due but the only slot is busy
    time.advanceTo(1150); // the only call in flight hangs past the end
    sent.shift()!.slot.finish(4);
    await done;
    expect(scheduler.stats()).toEqual({ sent: 1, late: 0, delayedByInflightCap: 1, dropped: 9 });
  });

  it('skips warmup calls still waiting for a slot when the measured window opens', async () => {
    const { time, sent, latencies, scheduler, done } = harness({ rate: 100, maxInflight: 1, window: { measureStartMs: 1050, endMs: 1100 } });
    time.advanceTo(1060); // call 0 (warmup) is slow: warmup calls 1..4 and measured call 5 are due
    expect(sent.map((call) => call.intended)).toEqual([1000]);
    sent.shift()!.slot.finish(0);
    // The freed slot goes to the first measured call (intended 1050), not to warmup call 1.
    expect(sent.map((call) => call.intended)).toEqual([1050]);
    for (let t = 1061; t <= 1110; t++) {
      time.advanceTo(t);
      for (const call of sent.splice(0)) call.slot.finish(0);
    }
    await done;
    expect(scheduler.stats()).toMatchObject({ sent: 5, dropped: 0 });
    expect(latencies[0]).toBe(11); // sent at 1060, finished at 1061, charged from 1050
  });

  it('does not count warmup calls and honours the request bound', async () => {
    const { time, sent, latencies, scheduler, done } = harness({
      rate: 100,
      maxInflight: 10,
      window: { measureStartMs: 1030, endMs: Infinity, maxMeasuredRequests: 4 },
    });
    for (let t = 1000; t <= 1100; t++) {
      time.advanceTo(t);
      for (const call of sent.splice(0)) call.slot.finish(0);
    }
    await done;
    expect(scheduler.stats().sent).toBe(4);
    expect(latencies).toHaveLength(4);
    expect(scheduler.intendedStartMs(3)).toBe(1030); // first measured call
  });

  it('still sends calls made late by a stalled timer after the window closed', async () => {
    const { time, sent, scheduler, done } = harness({ rate: 100, maxInflight: 10, window: {} });
    time.advanceTo(1085);
    for (const call of sent.splice(0)) call.slot.finish(0);
    time.advanceTo(1130, { stalled: true }); // the timer for call 9 (1090) fires at 1130
    expect(sent.map((call) => [call.intended, call.sentAt])).toEqual([[1090, 1130]]);
    sent.shift()!.slot.finish(0);
    await done;
    expect(scheduler.stats()).toEqual({ sent: 10, late: 1, delayedByInflightCap: 0, dropped: 0 });
  });

  it('stops sending on stop() and counts the rest as dropped', async () => {
    const { time, sent, scheduler, done } = harness({ rate: 100, maxInflight: 10, window: {} });
    time.advanceTo(1015);
    scheduler.stop();
    for (const call of sent.splice(0)) call.slot.finish(0);
    await done;
    expect(scheduler.stats()).toMatchObject({ sent: 2, dropped: 8 });
  });
});
