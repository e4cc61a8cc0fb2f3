// What one shard of a run (the whole run, or one worker's part of it under --workers) measured,
// in a form that crosses a worker_threads message port, and the exact merge of several shards:
// HDR histograms are sent in their lossless encoding and added bucket by bucket, counts are summed,
// the slowest calls are merged and cut to the ten slowest again.
import { decodeHistogram, encodeHistogram, mergeHistograms, type EncodedHistogram, type Histogram } from './histograms.js';
import { SlowestCalls, type Recorder, type SlowCall } from './recorder.js';
import type { SchedulerStats } from './schedulers/scheduler.js';

export interface ShardResult {
  readonly okLatency: Histogram;
  readonly errorLatency: Histogram;
  readonly ok: number;
  readonly errors: number;
  /** gRPC status code → failed calls. */
  readonly errorsByCode: ReadonlyMap<number, number>;
  readonly slowest: readonly SlowCall[];
  readonly slowestSampled: readonly SlowCall[];
  readonly stats: SchedulerStats;
  /** Wall-clock time (epoch ms) when the shard's last call finished. */
  readonly finishedEpochMs: number;
  /** Warmup calls that finished after the measured window opened. */
  readonly warmupFinishedInWindow: number;
}

/** ShardResult as structured-clone-safe data. */
export interface EncodedShardResult {
  readonly okLatency: EncodedHistogram;
  readonly errorLatency: EncodedHistogram;
  readonly ok: number;
  readonly errors: number;
  readonly errorsByCode: readonly (readonly [number, number])[];
  readonly slowest: readonly SlowCall[];
  readonly slowestSampled: readonly SlowCall[];
  readonly stats: SchedulerStats;
  readonly finishedEpochMs: number;
  readonly warmupFinishedInWindow: number;
}

export function shardResultOf(recorder: Recorder, stats: SchedulerStats, finishedEpochMs: number, warmupFinishedInWindow = 0): ShardResult {
  return {
    okLatency: recorder.okLatency,
    errorLatency: recorder.errorLatency,
    ok: recorder.ok,
    errors: recorder.errors,
    errorsByCode: recorder.errorsByCode(),
    slowest: recorder.slowest.list(),
    slowestSampled: recorder.slowestSampled.list(),
    stats,
    finishedEpochMs,
    warmupFinishedInWindow,
  };
}

export function encodeShardResult(result: ShardResult): EncodedShardResult {
  return {
    ...result,
    okLatency: encodeHistogram(result.okLatency),
    errorLatency: encodeHistogram(result.errorLatency),
    errorsByCode: [...result.errorsByCode],
    slowest: [...result.slowest],
    slowestSampled: [...result.slowestSampled],
  };
}

export function decodeShardResult(encoded: EncodedShardResult): ShardResult {
  return {
    ...encoded,
    okLatency: decodeHistogram(encoded.okLatency),
    errorLatency: decodeHistogram(encoded.errorLatency),
    errorsByCode: new Map(encoded.errorsByCode),
  };
}

export function mergeShardResults(results: readonly ShardResult[]): ShardResult {
  if (results.length === 1) return results[0];
  const errorsByCode = new Map<number, number>();
  for (const result of results) {
    for (const [code, count] of result.errorsByCode) errorsByCode.set(code, (errorsByCode.get(code) ?? 0) + count);
  }
  const sum = (pick: (stats: SchedulerStats) => number): number => results.reduce((total, result) => total + pick(result.stats), 0);
  return {
    okLatency: mergeHistograms(results.map((result) => result.okLatency)),
    errorLatency: mergeHistograms(results.map((result) => result.errorLatency)),
    ok: results.reduce((total, result) => total + result.ok, 0),
    errors: results.reduce((total, result) => total + result.errors, 0),
    errorsByCode,
    slowest: mergeSlowest(results.map((result) => result.slowest)),
    slowestSampled: mergeSlowest(results.map((result) => result.slowestSampled)),
    stats: {
      sent: sum((stats) => stats.sent),
      late: sum((stats) => stats.late),
      delayedByInflightCap: sum((stats) => stats.delayedByInflightCap),
      dropped: sum((stats) => stats.dropped),
    },
    finishedEpochMs: Math.max(...results.map((result) => result.finishedEpochMs)),
    warmupFinishedInWindow: results.reduce((total, result) => total + result.warmupFinishedInWindow, 0),
  };
}

function mergeSlowest(lists: readonly (readonly SlowCall[])[]): SlowCall[] {
  const slowest = new SlowestCalls(10);
  for (const list of lists) for (const call of list) slowest.offer(call.latencyMs, call, call.code);
  return [...slowest.list()];
}
