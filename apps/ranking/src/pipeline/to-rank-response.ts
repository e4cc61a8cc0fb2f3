// Presentation: the picked candidates as RankedItems. The decoded ItemRef messages are reused
// as they are, not copied.
import type { Candidate, RankResponseSchema } from '@feedmesh/contracts';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { RankingModel } from '../model/ranking-model.js';
import type { RankOutput } from './rank-candidates.js';

export type RankResponseInit = MessageInitShape<typeof RankResponseSchema>;

export function toRankResponse(candidates: readonly Candidate[], ranked: RankOutput, model: RankingModel): RankResponseInit {
  const { picked, scores } = ranked;
  const items = new Array<NonNullable<RankResponseInit['items']>[number]>(picked.length);
  for (let k = 0; k < picked.length; k++) {
    const i = picked[k]!;
    const candidate = candidates[i]!;
    items[k] = { item: candidate.item, score: scores[i]!, sources: candidate.sources };
  }
  return {
    items,
    modelVersion: model.scoring.version,
    featureCount: model.featureCount,
    breakdowns: ranked.breakdowns ?? [],
  };
}
