// Helpers shared by feed-core's unit tests (not shipped: only *.test.ts import this).
import { expect } from 'vitest';
import type { CandidateLike } from '../src/candidate.js';
import { columnsOfCandidates } from '../src/scoring/candidate-columns.js';
import type { Feature, UserFeatures } from '../src/scoring/feature.js';

/** Deterministic pseudo-random generator (mulberry32), so property-style tests are reproducible. */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The feature's value of one candidate, through both the column and the per-index form (which must agree). */
export function valueOf(f: Feature, c: CandidateLike, user: UserFeatures, now: number): number {
  const columns = columnsOfCandidates([c]);
  const out = new Float64Array(1);
  f.computeColumn(columns, user, now, out);
  expect(f.value(columns, 0, user, now)).toBe(out[0]);
  return out[0]!;
}
