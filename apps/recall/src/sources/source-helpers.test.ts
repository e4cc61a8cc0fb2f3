import { encodeTimelineMember, parseWithScores } from '@feedmesh/storage';
import { describe, expect, it } from 'vitest';
import { topicShares } from './interest-source.js';
import { recencyScore } from './recency-score.js';
import { topCandidates } from './top-candidates.js';
import { decayedHeatScore } from './trending-source.js';

const member = (id: string) => encodeTimelineMember({ id, kind: 2, authorId: 'a1' });
const c = (id: string, createdAtMs: number, recallScore: number) => ({ item: { id, kind: 1, authorId: 'a', createdAtMs }, sources: [], recallScore });

describe('parseWithScores', () => {
  it('decodes members and skips malformed ones', () => {
    expect(parseWithScores([member('i1'), '5', 'garbage', '4', member('i2'), 'nan'])).toEqual([
      { member: { id: 'i1', kind: 2, authorId: 'a1' }, score: 5 },
    ]);
  });
});

describe('topCandidates', () => {
  it('dedupes keeping the best score, newest first, capped', () => {
    const out = topCandidates([c('a', 1, 0.1), c('b', 3, 0.5), c('a', 1, 0.9), c('d', 2, 0.2)], 2);
    expect(out.map((x) => [x.item.id, x.recallScore])).toEqual([
      ['b', 0.5],
      ['d', 0.2],
    ]);
    expect(topCandidates([c('a', 1, 0.1), c('a', 1, 0.9)], 5).map((x) => x.recallScore)).toEqual([0.9]);
  });
});

describe('topicShares', () => {
  it('splits the quota by weight, at least one each, skipping unusable topics', () => {
    expect(topicShares([{ topic: 'go', weight: 3 }, { topic: 'rust', weight: 1 }, { topic: 'a{b}', weight: 5 }, { topic: 'z', weight: 0 }], 100)).toEqual([
      { topic: 'go', weight: 3, count: 75 },
      { topic: 'rust', weight: 1, count: 25 },
    ]);
    expect(topicShares([{ topic: 'go', weight: 100 }, { topic: 'x', weight: 0.001 }], 10).map((s) => s.count)).toEqual([10, 1]);
    expect(topicShares([], 10)).toEqual([]);
  });
});

describe('scores', () => {
  it('recency is 1 now, 1/e after a day, and 1 for future items', () => {
    expect(recencyScore(1000, 1000)).toBe(1);
    expect(recencyScore(0, 86_400_000)).toBeCloseTo(Math.exp(-1));
    expect(recencyScore(2000, 1000)).toBe(1);
  });

  it('decayed heat: a stored trending score loses ln 2 per half-life of age', () => {
    const halfLife = 1000;
    const stored = Math.log1p(Math.E - 1) + (5000 * Math.LN2) / halfLife; // heat 1 at t=5000
    expect(decayedHeatScore(stored, 5000, halfLife)).toBeCloseTo(0.5);
    expect(decayedHeatScore(stored, 5000 + halfLife / Math.LN2, halfLife)).toBe(0);
    expect(decayedHeatScore(stored, 4000, halfLife)).toBeGreaterThan(0.5);
  });
});
