// Latency histograms: HdrHistogram over integer microseconds, 3 significant digits, up to 1 hour.
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, JsHistogram, type Histogram } from 'hdr-histogram-js';

export type { Histogram };

export function newLatencyHistogram(): Histogram {
  return build({
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Latency in ms → the recorded integer µs (at least 1, so sub-µs calls still count). */
export function toMicros(latencyMs: number): number {
  const micros = Math.round(latencyMs * 1000);
  return micros < 1 ? 1 : micros;
}

/** Sums histograms (per interval or per connection) bucket by bucket: percentiles stay exact to the histogram's precision. */
export function mergeHistograms(parts: readonly Histogram[]): Histogram {
  const merged = newLatencyHistogram();
  for (const part of parts) merged.add(part);
  return merged;
}

/** A histogram recorded in a worker thread, on its way to the main thread. */
export interface EncodedHistogram {
  /** The standard HdrHistogram V2 compressed encoding: every bucket count, losslessly. */
  readonly counts: string;
  /** The exact largest value, which the bucket counts only give to the bucket's precision. */
  readonly max: number;
}

export function encodeHistogram(histogram: Histogram): EncodedHistogram {
  return { counts: encodeIntoCompressedBase64(histogram), max: histogram.maxValue };
}

/** Decodes `encodeHistogram` output into a histogram with this tool's settings, equal to the one encoded. */
export function decodeHistogram(encoded: EncodedHistogram): Histogram {
  const histogram = newLatencyHistogram();
  histogram.add(decodeFromCompressedBase64(encoded.counts, 32, false));
  if (histogram.totalCount > 0 && histogram instanceof JsHistogram) histogram.maxValue = encoded.max;
  return histogram;
}

export interface LatencySummaryMs {
  readonly count: number;
  readonly min: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export function summarize(histogram: Histogram): LatencySummaryMs {
  const count = histogram.totalCount;
  const maxMicros = histogram.maxValue;
  // Percentiles are bucket upper bounds and may exceed the exact max by the bucket width; clamp.
  const ms = (micros: number): number => (count === 0 ? 0 : Math.round(Math.min(micros, maxMicros)) / 1000);
  return {
    count,
    min: ms(histogram.minNonZeroValue),
    mean: ms(histogram.mean),
    p50: ms(histogram.getValueAtPercentile(50)),
    p90: ms(histogram.getValueAtPercentile(90)),
    p99: ms(histogram.getValueAtPercentile(99)),
    p999: ms(histogram.getValueAtPercentile(99.9)),
    max: ms(maxMicros),
  };
}
