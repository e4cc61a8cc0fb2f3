// v1 candidates (nested messages or plain objects) as the columns the scorer reads, so the v1
// Rank path runs the same array code as RankBlock. Canonical (lower-case) UUID ids go into the
// packed id column as they are. Any other ids (tests, tools, foreign ids) are replaced by UUIDs
// that sort the same way, so ties still break by the id string order of the input; such a block
// is for scoring only, its id column does not carry the input's ids.
import { create } from '@bufbuild/protobuf';
import { CandidateBlockSchema } from '@feedmesh/contracts';
import { blockOfCandidates, candidateColumns, type CandidateColumns } from '../candidate-block.js';
import { compareIds, type CandidateLike } from '../candidate.js';

/** The scorer's columns of v1 candidates. Throws CandidateBlockError (e.g. more than 32 sources). */
export function columnsOfCandidates(candidates: readonly CandidateLike[]): CandidateColumns {
  const input = candidates.every((c) => isCanonicalUuid(c.item?.id ?? '')) ? candidates : withOrderedSurrogateIds(candidates);
  return candidateColumns(create(CandidateBlockSchema, blockOfCandidates(input)));
}

/** 8-4-4-4-12 lower-case hex: byte order of the packed form equals the string order. */
export function isCanonicalUuid(id: string): boolean {
  if (id.length !== 36) return false;
  for (let i = 0; i < 36; i++) {
    const code = id.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45 /* - */) return false;
    } else if (!((code >= 48 && code <= 57) || (code >= 97 && code <= 102))) return false;
  }
  return true;
}

function withOrderedSurrogateIds(candidates: readonly CandidateLike[]): CandidateLike[] {
  const distinct = [...new Set(candidates.map((c) => c.item?.id ?? ''))].sort(compareIds);
  const rank = new Map(distinct.map((id, r) => [id, r]));
  return candidates.map((c) => ({
    ...c,
    item: {
      id: surrogateUuid(rank.get(c.item?.id ?? '')!),
      kind: c.item?.kind ?? 0,
      authorId: c.item?.authorId ?? '',
      createdAtMs: c.item?.createdAtMs ?? 0,
    },
  }));
}

function surrogateUuid(rank: number): string {
  const hex = rank.toString(16).padStart(32, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
