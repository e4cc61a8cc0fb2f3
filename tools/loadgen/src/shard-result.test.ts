import { describe, expect, it } from 'vitest';
import { summarize } from './histograms.js';
import { Recorder } from './recorder.js';
import { planRun, splitPlan } from './run-load.js';
import { decodeShardResult, encodeShardResult, mergeShardResults, shardResultOf } from './shard-result.js';

const trace = (i: number, sampled = false) => ({ traceId: i.toString(16).padStart(32, '0'), traceparent: '', sampled });
const stats = (sent: number, dropped = 0) => ({ sent, late: sent % 7, delayedByInflightCap: 1, dropped });

describe('shard results across workers', () => {
  it('merge exactly: the same report as one recorder that saw every call', () => {
    const whole = new Recorder();
    const parts = [new Recorder(), new Recorder()];
    for (let i = 0; i < 20_000; i++) {
      // The shards see different latency bands (and different errors), so a wrong merge would show.
      const latencyMs = i % 2 === 0 ? 0.2 + (i % 500) / 100 : 40 + (i % 900) / 10;
      const code = i % 97 === 0 ? 14 : i % 101 === 0 ? 4 : 0;
      whole.record(latencyMs, code, trace(i, i % 50 === 0));
      parts[i % 2].record(latencyMs, code, trace(i, i % 50 === 0));
      if (i % 5000 === 0) [whole, ...parts].forEach((r) => r.flushInterval());
    }
    [whole, ...parts].forEach((r) => r.flushInterval());
    // Through the worker message format and back.
    const shards = parts.map((recorder, index) =>
      decodeShardResult(structuredClone(encodeShardResult(shardResultOf(recorder, stats(10_000 + index, index), 1000 + index, 3 + index)))),
    );
    const merged = mergeShardResults(shards);
    expect(summarize(merged.okLatency)).toEqual(summarize(whole.okLatency));
    expect(summarize(merged.errorLatency)).toEqual(summarize(whole.errorLatency));
    expect(merged.okLatency.totalCount).toBe(whole.ok);
    expect(summarize(merged.okLatency).p99).toBeGreaterThan(summarize(shards[0].okLatency).p99);
    expect(merged.ok).toBe(whole.ok);
    expect(merged.errors).toBe(whole.errors);
    expect(new Map(merged.errorsByCode)).toEqual(new Map(whole.errorsByCode()));
    expect(merged.slowest).toEqual(whole.slowest.list());
    expect(merged.slowestSampled).toEqual(whole.slowestSampled.list());
    expect(merged.stats).toEqual({ sent: 20_001, late: (10_000 % 7) + (10_001 % 7), delayedByInflightCap: 2, dropped: 1 });
    expect(merged.finishedEpochMs).toBe(1001);
    expect(merged.warmupFinishedInWindow).toBe(7);
  });

  it('an empty shard encodes and merges as nothing', () => {
    const empty = decodeShardResult(encodeShardResult(shardResultOf(new Recorder(), stats(0), 5)));
    expect(empty.okLatency.totalCount).toBe(0);
    const recorder = new Recorder();
    recorder.record(3, 0, trace(1));
    recorder.flushInterval();
    const merged = mergeShardResults([empty, shardResultOf(recorder, stats(1), 4)]);
    expect(merged.ok).toBe(1);
    expect(summarize(merged.okLatency).max).toBeCloseTo(3, 2);
  });
});

describe('splitPlan', () => {
  it('divides the load and interleaves open-loop schedules', () => {
    const closed = splitPlan(planRun({ target: 't', method: 'm', concurrency: 7, requests: 11, connections: 3 }), 2);
    expect(closed.map((p) => p.concurrency)).toEqual([4, 3]);
    expect(closed.map((p) => p.requests)).toEqual([6, 5]);
    expect(closed.map((p) => p.connections)).toEqual([2, 1]);
    const open = splitPlan(planRun({ target: 't', method: 'm', rate: 4000, maxInflight: 1001 }), 2);
    expect(open.map((p) => p.rate)).toEqual([2000, 2000]);
    expect(open.map((p) => p.maxInflight)).toEqual([501, 501]);
    // Each shard calls every 0.5 ms; the second is 0.25 ms after the first: together, every 0.25 ms.
    expect(open.map((p) => p.phaseMs)).toEqual([0, 0.25]);
    expect(open.every((p) => p.requests === Infinity && p.connections === undefined)).toBe(true);
  });
});
