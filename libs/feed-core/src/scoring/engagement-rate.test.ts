import { ItemKind } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import type { CandidateLike } from '../candidate.js';
import { engagementRate } from './engagement-rate.js';
import { emptyUserFeatures } from './feature.js';
import { exampleModel } from './example-model.fixture.js';
import type { ModelConfig } from './model-config.js';
import { valueOf } from '../../test/helpers.js';


const now = 1_700_000_000_000;

function cand(
  over: Partial<{ createdAtMs: number; authorId: string; kind: ItemKind; sources: string[] }> = {},
  stats?: [views: number, likes: number, shares: number, hides: number],
): CandidateLike {
  return {
    item: { id: 'i', kind: over.kind ?? ItemKind.ARTICLE, authorId: over.authorId ?? 'a', createdAtMs: BigInt(over.createdAtMs ?? now) },
    sources: over.sources ?? [],
    stats: stats && { views: BigInt(stats[0]), likes: BigInt(stats[1]), shares: BigInt(stats[2]), hides: BigInt(stats[3]) },
    recallScore: 0,
  };
}
const model: ModelConfig = { ...exampleModel, engagementPriorViews: 100, engagementPriorMean: 0.1 };

describe('engagement-rate', () => {
  it('engagement rate is smoothed toward the prior mean', () => {
    const f = engagementRate.create(model);
    const rate = (s: [number, number, number, number]) => valueOf(f, cand({}, s), emptyUserFeatures, now);
    expect(rate([0, 0, 0, 0])).toBeCloseTo(0.1, 12); // no evidence: the prior mean
    expect(valueOf(f, cand(), emptyUserFeatures, now)).toBeCloseTo(0.1, 12); // no stats at all
    expect(rate([1, 1, 0, 0])).toBeCloseTo((1 + 10) / 101, 12); // one lucky like barely moves it
    expect(rate([10_000, 2000, 0, 0])).toBeCloseTo((2000 + 10) / 10_100, 12);
    expect(rate([10_000, 2000, 0, 0])).toBeGreaterThan(rate([1, 1, 0, 0]));
    expect(rate([100, 10, 10, 0])).toBeCloseTo((10 + 20 + 10) / 200, 12); // shares count twice
    expect(rate([100, 0, 0, 50])).toBe(0); // the capped hide penalty (0.05) exceeds the rate: clamped
    expect(rate([1, 1000, 1000, 0])).toBe(1); // inconsistent counters: clamped
  });

  it('counts hides as their smoothed share of views, capped by maxHidePenalty', () => {
    const f = engagementRate.create(model); // prior 100 views at 0.1, maxHidePenalty 0.05
    const rate = (s: [number, number, number, number]) => valueOf(f, cand({}, s), emptyUserFeatures, now);
    const base = (100 + 10) / 1100;
    expect(rate([1000, 100, 0, 0])).toBeCloseTo(base, 12);
    expect(rate([1000, 100, 0, 11])).toBeCloseTo(base - 11 / 1100, 12); // 1 % hidden: 1 % off
    // A handful of hides on a fresh item: smoothed by the prior, never more than the cap.
    expect(rate([0, 0, 0, 5])).toBeCloseTo(0.1 - 5 / 100, 12);
    expect(rate([0, 0, 0, 5])).toBeGreaterThan(0);
    for (const hides of [56, 100, 10_000]) expect(rate([1000, 100, 0, hides])).toBeCloseTo(base - 0.05, 12);
    expect(rate([1000, 100, 0, 10_000])).toBeGreaterThan(0); // the old −3·hides term sank it to 0
  });

  it('takes the cap from the model: 0 ignores hides, 1 lets them cost the whole rate', () => {
    const stats: [number, number, number, number] = [100, 20, 0, 30];
    const off = valueOf(engagementRate.create({ ...model, maxHidePenalty: 0 }), cand({}, stats), emptyUserFeatures, now);
    expect(off).toBeCloseTo((20 + 10) / 200, 12);
    const full = valueOf(engagementRate.create({ ...model, maxHidePenalty: 1 }), cand({}, stats), emptyUserFeatures, now);
    expect(full).toBeCloseTo((20 + 10) / 200 - 30 / 200, 12);
  });
});
