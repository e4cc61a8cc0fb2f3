import { create } from '@bufbuild/protobuf';
import { CandidateSchema, ItemKind, RankResponseSchema } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { parseRankingModel } from '../model/ranking-model.js';
import { toRankResponse } from './to-rank-response.js';
import { shippedModel } from '../model/default-model.js';

const model = parseRankingModel(
  { ...JSON.parse(JSON.stringify(shippedModel.scoring)), version: 'm7' },
  { maxSameKindRun: 2, maxSameAuthorRun: 2, lookahead: 10 },
);
const candidates = ['x', 'y', 'z'].map((id, i) =>
  create(CandidateSchema, { item: { id, kind: ItemKind.LIVE, authorId: `a${i}`, createdAtMs: 1000n + BigInt(i) }, sources: [`s${i}`, 'trending'] }),
);

describe('toRankResponse', () => {
  it('maps picked indexes to ranked items with their scores, sources and the model identity', () => {
    const response = create(RankResponseSchema, toRankResponse(candidates, { picked: [2, 0], scores: new Float64Array([0.5, 0.1, 0.9]) }, model));
    expect(response.modelVersion).toBe('m7');
    expect(response.featureCount).toBe(5);
    expect(response.items.map((r) => [r.item?.id, r.score, r.sources])).toEqual([
      ['z', 0.9, ['s2', 'trending']],
      ['x', 0.5, ['s0', 'trending']],
    ]);
    expect(response.items[0]!.item).toBe(candidates[2]!.item);
    expect(response.breakdowns).toEqual([]);
  });

  it('passes the breakdowns through', () => {
    const breakdowns = [{ itemId: 'y', score: 0.1, features: [{ feature: 'freshness', value: 0.5, weight: 0.2, contribution: 0.1 }] }];
    const response = create(RankResponseSchema, toRankResponse(candidates, { picked: [1], scores: new Float64Array(3).fill(0.1), breakdowns }, model));
    expect(response.breakdowns.map((b) => [b.itemId, b.score, b.features.map((f) => [f.feature, f.contribution])])).toEqual([['y', 0.1, [['freshness', 0.1]]]]);
  });
});
