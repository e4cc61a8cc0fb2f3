import { ItemKind } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import type { CandidateLike } from '../candidate.js';
import { emptyUserFeatures } from './feature.js';
import { defaultModelConfig, type ModelConfig } from './model-config.js';
import { sourceBoost } from './source-boost.js';

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
const model: ModelConfig = { ...defaultModelConfig, sourceBoosts: { following: 1, trending: 0.4 } };

describe('source-boost', () => {
  it('source boost takes the best configured source', () => {
    const s = sourceBoost.create(model);
    expect(s.compute(cand({ sources: ['trending'] }), emptyUserFeatures, now)).toBe(0.4);
    expect(s.compute(cand({ sources: ['trending', 'following'] }), emptyUserFeatures, now)).toBe(1);
    expect(s.compute(cand({ sources: ['unknown'] }), emptyUserFeatures, now)).toBe(0);
  });
});
