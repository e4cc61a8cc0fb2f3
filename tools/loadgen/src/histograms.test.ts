import { describe, expect, it } from 'vitest';
import { mergeHistograms, newLatencyHistogram, summarize, toMicros } from './histograms.js';
import { Recorder } from './recorder.js';

const trace = { traceId: 'ab'.repeat(16), traceparent: '', sampled: false };

describe('histogram merging', () => {
  it('gives the same percentiles as recording everything in one histogram', () => {
    const whole = newLatencyHistogram();
    const parts = [newLatencyHistogram(), newLatencyHistogram(), newLatencyHistogram()];
    for (let i = 1; i <= 30_000; i++) {
      // Each part sees a different latency band, so a wrong merge (e.g. averaging) would show.
      const micros = (i % 3) * 10_000 + (i % 1000) * 7 + 1;
      whole.recordValue(micros);
      parts[i % 3].recordValue(micros);
    }
    const merged = mergeHistograms(parts);
    expect(merged.totalCount).toBe(30_000);
    expect(summarize(merged)).toEqual(summarize(whole));
    expect(summarize(merged).p99).toBeGreaterThan(summarize(parts[0]).p99);
  });

  it('summarizes in milliseconds and reports zeros when empty', () => {
    const histogram = newLatencyHistogram();
    expect(summarize(histogram)).toEqual({ count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
    for (let ms = 1; ms <= 100; ms++) histogram.recordValue(toMicros(ms));
    const summary = summarize(histogram);
    expect(summary.p50).toBeCloseTo(50, 1);
    expect(summary.p99).toBeCloseTo(99, 1);
    expect(summary.max).toBeCloseTo(100, 1);
  });
});

describe('Recorder', () => {
  it('folds intervals into the totals and keeps errors apart by code', () => {
    const recorder = new Recorder();
    for (let i = 0; i < 100; i++) recorder.record(1 + i / 100, 0, trace);
    const first = recorder.flushInterval();
    expect(first).toMatchObject({ ok: 100, errors: 0 });
    recorder.record(50, 0, trace);
    recorder.record(0.2, 14, trace);
    recorder.record(0.3, 14, trace);
    recorder.record(5000, 4, trace);
    const second = recorder.flushInterval();
    expect(second).toMatchObject({ ok: 1, errors: 3 });
    expect(recorder.ok).toBe(101);
    expect(recorder.errors).toBe(3);
    expect(recorder.okLatency.totalCount).toBe(101);
    expect(summarize(recorder.okLatency).max).toBeCloseTo(50, 1);
    expect(recorder.errorLatency.totalCount).toBe(3);
    expect([...recorder.errorsByCode()]).toEqual([[14, 2], [4, 1]]);
    expect(recorder.flushInterval()).toMatchObject({ ok: 0, errors: 0, p99Ms: 0 });
  });

  it('keeps the ten slowest calls, slowest first, and the sampled ones apart', () => {
    const recorder = new Recorder();
    for (let i = 0; i < 1000; i++) {
      const id = i.toString(16).padStart(32, '0');
      recorder.record((i * 7919) % 1000, 0, { traceId: id, traceparent: '', sampled: i % 100 === 0 });
    }
    const slowest = recorder.slowest.list();
    expect(slowest.map((call) => call.latencyMs)).toEqual([999, 998, 997, 996, 995, 994, 993, 992, 991, 990]);
    const sampled = recorder.slowestSampled.list();
    expect(sampled).toHaveLength(10);
    expect(sampled.every((call) => call.sampled)).toBe(true);
    expect([...sampled].sort((a, b) => b.latencyMs - a.latencyMs)).toEqual(sampled);
  });
});
