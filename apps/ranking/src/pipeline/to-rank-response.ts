// Presentation: the picked candidates as v1 RankedItems (the decoded ItemRef messages are reused
// as they are, not copied), or as a columnar RankedBlock for RankBlock.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Candidate, RankBlockResponseSchema, RankResponseSchema } from '@feedmesh/contracts';
import { rankedBlockOf, type CandidateColumns } from '@feedmesh/feed-core';
import type { RankingModel } from '../model/ranking-model.js';

export type RankResponseInit = MessageInitShape<typeof RankResponseSchema>;
export type RankBlockResponseInit = MessageInitShape<typeof RankBlockResponseSchema>;

/** What presentation reads of a ranking (RankOutput, or a literal in tests). */
export interface RankedPicks {
  picked: ArrayLike<number>;
  scores: ArrayLike<number>;
  breakdowns?: RankResponseInit['breakdowns'];
}

export function toRankResponse(candidates: readonly Candidate[], ranked: RankedPicks, model: RankingModel): RankResponseInit {
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

export function toRankBlockResponse(columns: CandidateColumns, ranked: RankedPicks, model: RankingModel): RankBlockResponseInit {
  return {
    items: rankedBlockOf(columns, ranked.picked, ranked.scores),
    modelVersion: model.scoring.version,
    featureCount: model.featureCount,
    breakdowns: ranked.breakdowns ?? [],
  };
}
