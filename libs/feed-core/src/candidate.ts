// The minimal shape of a recall candidate that feed-core logic reads. The generated proto
// `Candidate` (feedmesh.recall.v1) satisfies it, and so do plain objects in tests and tools.
// protobuf-es v2 maps the 64-bit counters to bigint even with `jstype = JS_NUMBER`, so
// counters and timestamps are accepted as bigint or number and read through `toNumber`.
import type { ItemKind } from '@feedmesh/contracts';

export type Int64Like = bigint | number;

export interface CandidateItemLike {
  id: string;
  kind: ItemKind;
  authorId: string;
  createdAtMs: Int64Like;
}

export interface CandidateStatsLike {
  views: Int64Like;
  likes: Int64Like;
  shares: Int64Like;
  hides: Int64Like;
}

export interface CandidateLike {
  /** Absent only on malformed input; readers treat it as proto defaults (empty id, time 0). */
  item?: CandidateItemLike | undefined;
  sources: string[];
  stats?: CandidateStatsLike | undefined;
  recallScore: number;
}

export function toNumber(value: Int64Like): number {
  return typeof value === 'bigint' ? Number(value) : value;
}

export function candidateId(c: CandidateLike): string {
  return c.item?.id ?? '';
}

export function candidateCreatedAtMs(c: CandidateLike): number {
  return c.item ? toNumber(c.item.createdAtMs) : 0;
}

/** Most recent first, then id ascending (code-unit order, independent of locale). */
export function compareRecentFirst(aMs: number, aId: string, bMs: number, bId: string): number {
  if (aMs !== bMs) return bMs - aMs;
  return compareIds(aId, bId);
}

export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
