// What a recall source produces: a complete ItemRef (kind and author come packed in the zset
// members, so no source needs to hydrate) plus a source-local score in [0, 1].
import type { ItemKind } from '@feedmesh/contracts';
import type { CandidateSource } from '@feedmesh/feed-core';

export interface RecallItem {
  id: string;
  kind: ItemKind;
  authorId: string;
  createdAtMs: number;
}

export interface RecallCandidate {
  item: RecallItem;
  /** Filled in by mergeCandidates; sources leave it empty. */
  sources: string[];
  /** Source-local score in [0, 1] (recency, decayed heat, topic weight...), for tie-breaks. */
  recallScore: number;
}

export interface RecallQuery {
  userId: string;
}

/** A named candidate source of the recall service (one file per source under `sources/`). */
export type RecallSource = CandidateSource<RecallQuery, RecallCandidate>;
