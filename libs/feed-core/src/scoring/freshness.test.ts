import { ItemKind } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import type { CandidateLike } from '../candidate.js';
import { emptyUserFeatures } from './feature.js';
import { freshness } from './freshness.js';
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
const hour = 3_600_000;
const model: ModelConfig = { ...exampleModel, freshnessHalfLifeHours: 10 };

describe('freshness', () => {
  it('freshness halves every half-life and treats future items as new', () => {
    const f = freshness.create(model);
    expect(valueOf(f, cand({ createdAtMs: now }), emptyUserFeatures, now)).toBe(1);
    expect(valueOf(f, cand({ createdAtMs: now - 10 * hour }), emptyUserFeatures, now)).toBeCloseTo(0.5, 12);
    expect(valueOf(f, cand({ createdAtMs: now - 20 * hour }), emptyUserFeatures, now)).toBeCloseTo(0.25, 12);
    expect(valueOf(f, cand({ createdAtMs: now + hour }), emptyUserFeatures, now)).toBe(1);
  });
});
