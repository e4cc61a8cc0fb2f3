import { create } from '@bufbuild/protobuf';
import { CandidateSchema, ItemKind, type Candidate } from '@feedmesh/contracts';
import { columnsOfCandidates, emptyUserFeatures, type UserFeatures } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { parseRankingModel, type RankingModel } from '../model/ranking-model.js';
import { diversityReach } from './diversity-selector.js';
import { rankCandidates as rankColumns, type RankInput } from './rank-candidates.js';
import { shippedModel } from '../model/default-model.js';

const NOW = 1_750_000_000_000;
const HOUR = 3_600_000;

function candidate(id: string, kind: ItemKind, authorId: string, ageHours: number): Candidate {
  return create(CandidateSchema, {
    item: { id, kind, authorId, createdAtMs: BigInt(NOW - ageHours * HOUR) },
    sources: ['following'],
    stats: { views: 100n, likes: 5n, shares: 0n, hides: 0n },
  });
}

function model(diversity: Partial<RankingModel['diversity']> = {}, weights?: Record<string, number>): RankingModel {
  return parseRankingModel(
    { ...JSON.parse(JSON.stringify(shippedModel.scoring)), ...(weights ? { weights } : {}), diversity },
    { maxSameKindRun: 100, maxSameAuthorRun: 100, lookahead: 100 },
  );
}

const ids = (candidates: readonly Candidate[], picked: ArrayLike<number>) => Array.from(picked, (i) => candidates[i]!.item!.id);
/** The v1 call shape: candidates as columns, breakdowns showing their ids. */
const rankCandidates = ({ candidates, ...rest }: Omit<RankInput, 'columns'> & { candidates: readonly Candidate[] }) =>
  rankColumns({ ...rest, columns: columnsOfCandidates(candidates), itemIdOf: (i) => candidates[i]!.item!.id });

describe('rankCandidates', () => {
  // Freshness-only model: younger is better, so the expected order is obvious.
  const byAge = [5, 1, 3, 2, 4].map((age, i) => candidate(`i${i}`, ItemKind.ARTICLE, `a${i}`, age));

  it('orders by score, best first, and returns every item when limit is 0', () => {
    const out = rankCandidates({ candidates: byAge, user: emptyUserFeatures, model: model(), nowMs: NOW, limit: 0, debug: false });
    expect(ids(byAge, out.picked)).toEqual(['i1', 'i3', 'i2', 'i4', 'i0']);
    for (let k = 1; k < out.picked.length; k++) expect(out.scores[out.picked[k - 1]!]).toBeGreaterThanOrEqual(out.scores[out.picked[k]!]!);
    expect(out.breakdowns).toBeUndefined();
  });

  it('breaks score ties by newest first, then id', () => {
    const tied = [candidate('b', ItemKind.VIDEO, 'x', 1), candidate('a', ItemKind.VIDEO, 'y', 1), candidate('c', ItemKind.VIDEO, 'z', 1)];
    const out = rankCandidates({ candidates: tied, user: emptyUserFeatures, model: model({}, { 'engagement-rate': 1 }), nowMs: NOW, limit: 0, debug: false });
    expect(ids(tied, out.picked)).toEqual(['a', 'b', 'c']);
  });

  it('uses the user features: affinity lifts an older item', () => {
    const user: UserFeatures = { authorAffinity: new Map([['a0', 1]]), kindAffinity: new Map() };
    const out = rankCandidates({ candidates: byAge, user, model: model(), nowMs: NOW, limit: 1, debug: false });
    expect(ids(byAge, out.picked)).toEqual(['i0']);
  });

  it('applies the diversity rules of the model to the top limit', () => {
    // Scores: all of author A first, then B; kinds alternate enough to leave only the author rule.
    const runs = [0, 1, 2, 3].map((k) => candidate(`A${k}`, ItemKind.ARTICLE, 'A', k)).concat(
      [0, 1].map((k) => candidate(`B${k}`, ItemKind.VIDEO, 'B', 10 + k)),
    );
    const out = rankCandidates({ candidates: runs, user: emptyUserFeatures, model: model({ maxSameAuthorRun: 2 }), nowMs: NOW, limit: 5, debug: false });
    expect(ids(runs, out.picked)).toEqual(['A0', 'A1', 'B0', 'A2', 'A3']);
    const out1 = rankCandidates({ candidates: runs, user: emptyUserFeatures, model: model({ maxSameAuthorRun: 1 }), nowMs: NOW, limit: 0, debug: false });
    expect(ids(runs, out1.picked)).toEqual(['A0', 'B0', 'A1', 'B1', 'A2', 'A3']);
  });

  it('explains only the returned items, and the contributions sum to the score', () => {
    const user: UserFeatures = { authorAffinity: new Map([['a2', 0.7]]), kindAffinity: new Map([[ItemKind.ARTICLE, 0.3]]) };
    const out = rankCandidates({ candidates: byAge, user, model: model(), nowMs: NOW, limit: 2, debug: true });
    expect(out.breakdowns).toHaveLength(2);
    out.breakdowns!.forEach((b, k) => {
      expect(b.itemId).toBe(byAge[out.picked[k]!]!.item!.id);
      expect(b.score).toBe(out.scores[out.picked[k]!]);
      expect(b.features.map((f) => f.feature)).toEqual(['freshness', 'engagement-rate', 'author-affinity', 'kind-preference', 'source-boost']);
      expect(b.features.reduce((sum, f) => sum + f.contribution, 0)).toBe(b.score);
      for (const f of b.features) expect(f.contribution).toBe(f.value * f.weight);
    });
  });
});

describe('diversityReach', () => {
  it('hands over limit + lookahead items at most', () => {
    expect(diversityReach(100_000, 20, 100)).toBe(120);
    expect(diversityReach(50, 20, 100)).toBe(50);
    expect(diversityReach(100_000, 100_000, 100)).toBe(100_000);
  });
});
