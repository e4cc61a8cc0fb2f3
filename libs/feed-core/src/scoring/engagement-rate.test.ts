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
    expect(rate([100, 0, 0, 50])).toBe(0); // hides push it below 0: clamped
    expect(rate([1, 1000, 1000, 0])).toBe(1); // inconsistent counters: clamped
  });
});
