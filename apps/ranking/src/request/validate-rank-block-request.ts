// Field checks of a RankBlock request, and its candidate block decoded (into typed arrays) and
// checked as columns by feed-core's layout rules. A block that breaks them is an InvalidArgument
// naming the request's field, `candidates` (the block travels as bytes), and in its message the
// column (`column item_ids: ...`).
import type { RankBlockRequest } from '@feedmesh/contracts';
import { CandidateBlockError, candidateColumns, type CandidateColumns } from '@feedmesh/feed-core';
import { invalidArgument } from '@feedmesh/service-kit';
import { decodeCandidateBlock, type DecodedCandidateBlock } from '../pipeline/decode-candidate-block.js';
import { MAX_CANDIDATES } from './validate-rank-request.js';

export function validateRankBlockRequest(req: RankBlockRequest): CandidateColumns {
  if (req.userId.trim() === '') throw invalidArgument('user_id', 'is required');
  if (req.nowMs < 0n) throw invalidArgument('now_ms', 'must be >= 0 (0 means now)');
  let block: DecodedCandidateBlock;
  try {
    block = decodeCandidateBlock(req.candidates);
  } catch (error) {
    throw invalidArgument('candidates', `is not an encoded feedmesh.recall.v1.CandidateBlock (${(error as Error).message})`);
  }
  if (block.count > MAX_CANDIDATES) throw invalidArgument('candidates', `column count: is ${block.count}; at most ${MAX_CANDIDATES} candidates are accepted`);
  let columns: CandidateColumns;
  try {
    columns = candidateColumns(block);
  } catch (error) {
    if (error instanceof CandidateBlockError) throw invalidArgument('candidates', `column ${error.field}: ${error.message}`);
    throw error;
  }
  // NaN or ±Infinity would make the created_at tie-break inconsistent (and freshness meaningless).
  const createdAtMs = columns.createdAtMs;
  for (let i = 0; i < columns.count; i++) {
    if (!Number.isFinite(createdAtMs[i]!)) throw invalidArgument('candidates', `column created_at_ms: created_at_ms[${i}] is ${createdAtMs[i]}, not a finite number`);
  }
  return columns;
}
