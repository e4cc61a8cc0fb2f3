import { ItemKind } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import type { CandidateColumns } from '../candidate-block.js';
import type { CandidateLike } from '../candidate.js';
import { emptyUserFeatures } from './feature.js';
import { exampleModel } from './example-model.fixture.js';
import type { ModelConfig } from './model-config.js';
import { sourceBoost } from './source-boost.js';
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
const model: ModelConfig = { ...exampleModel, sourceBoosts: { following: 1, trending: 0.4 } };

describe('source-boost', () => {
  it('source boost takes the best configured source', () => {
    const s = sourceBoost.create(model);
    expect(valueOf(s, cand({ sources: ['trending'] }), emptyUserFeatures, now)).toBe(0.4);
    expect(valueOf(s, cand({ sources: ['trending', 'following'] }), emptyUserFeatures, now)).toBe(1);
    expect(valueOf(s, cand({ sources: ['unknown'] }), emptyUserFeatures, now)).toBe(0);
  });

  it('gives every candidate the same value through the column as alone, with few sources and with many', () => {
    for (const names of [['following', 'trending', 'x', 'fresh'], Array.from({ length: 20 }, (_, b) => (b === 17 ? 'following' : b === 3 ? 'trending' : b === 9 ? 'weird' : `s${b}`))]) {
      const s = sourceBoost.create({ ...model, sourceBoosts: { following: 1, trending: 0.4, weird: 0.7, x: 0 } });
      const n = 500;
      const columns = { count: n, sourceNames: names, sourceMask: Uint32Array.from({ length: n }, (_, i) => (i * 2654435761) >>> (i % 13)) } as unknown as CandidateColumns;
      const out = new Float64Array(n);
      s.computeColumn(columns, emptyUserFeatures, now, out);
      for (let i = 0; i < n; i++) expect(out[i], `mask ${columns.sourceMask[i]}`).toBe(s.value(columns, i, emptyUserFeatures, now));
      expect(new Set(out)).toEqual(new Set([0, 0.4, 0.7, 1].filter((v) => names.length > 4 || v !== 0.7)));
    }
  });
});
