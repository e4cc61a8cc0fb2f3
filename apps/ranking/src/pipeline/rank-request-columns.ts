// The v1 Rank path's candidates as the scorer's columns, so that Rank and RankBlock run one
// scorer. A request the columnar form cannot hold (more than 32 distinct source names) is an
// InvalidArgument.
import type { Candidate } from '@feedmesh/contracts';
import { CandidateBlockError, columnsOfCandidates, type CandidateColumns } from '@feedmesh/feed-core';
import { invalidArgument } from '@feedmesh/service-kit';

export function rankRequestColumns(candidates: readonly Candidate[]): CandidateColumns {
  try {
    return columnsOfCandidates(candidates);
  } catch (error) {
    if (error instanceof CandidateBlockError) throw invalidArgument('candidates', error.message);
    throw error;
  }
}
