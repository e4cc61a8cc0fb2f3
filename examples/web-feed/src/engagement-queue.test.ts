import { describe, expect, it } from 'vitest';
import { EngagementQueue, type QueuedEvent } from './engagement-queue.js';

function harness(answers: boolean[] = []) {
  const sent: QueuedEvent[][] = [];
  const timers: (() => void)[] = [];
  let clock = 1_000;
  const queue = new EngagementQueue({
    send: async (events) => {
      sent.push(events);
      return answers.shift() ?? true;
    },
    now: () => clock++,
    setTimer: (fn) => timers.push(fn),
    maxBatch: 2,
  });
  return { queue, sent, timers };
}

describe('EngagementQueue', () => {
  it('holds impressions until the timer, then sends them in batches, each stamped when it happened', async () => {
    const { queue, sent, timers } = harness();
    await queue.track('i1', 'VIEW', 1000);
    await queue.track('i2', 'VIEW', 1200);
    await queue.track('i3', 'VIEW');
    expect(sent).toEqual([]);
    expect(timers).toHaveLength(1);
    timers[0]!();
    await queue.flush();
    expect(sent).toEqual([
      [
        { itemId: 'i1', type: 'VIEW', occurredAtMs: 1000, dwellMs: 1000 },
        { itemId: 'i2', type: 'VIEW', occurredAtMs: 1001, dwellMs: 1200 },
      ],
      [{ itemId: 'i3', type: 'VIEW', occurredAtMs: 1002 }],
    ]);
    expect(queue.pending).toBe(0);
  });

  it('sends a like at once, with what was queued before it', async () => {
    const { queue, sent } = harness();
    await queue.track('i1', 'VIEW');
    await queue.track('i1', 'LIKE');
    expect(sent.map((b) => b.map((e) => e.type))).toEqual([['VIEW', 'LIKE']]);
  });

  it('a failed batch is sent again with the same events and the same times', async () => {
    const { queue, sent } = harness([false]);
    await queue.track('i1', 'HIDE');
    expect(queue.pending).toBe(1);
    await queue.flush();
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(queue.pending).toBe(0);
  });

  it('on exit, hands everything to the beacon', () => {
    const beacons: QueuedEvent[][] = [];
    const queue = new EngagementQueue({ send: async () => true, beacon: (e) => beacons.push(e) > 0, setTimer: () => 0, maxBatch: 2 });
    void queue.track('a', 'VIEW');
    void queue.track('b', 'VIEW');
    void queue.track('c', 'VIEW');
    queue.flushOnExit();
    expect(beacons.map((b) => b.map((e) => e.itemId))).toEqual([['a', 'b'], ['c']]);
    expect(queue.pending).toBe(0);
  });
});
