// What a recall source produces: a complete ItemRef (kind and author come packed in the zset
// members, so no source needs to hydrate) plus a source-local score in [0, 1]; sources that read
// the item records themselves (the shared ones) attach them, the rest are hydrated after merging.
import type { ItemKind } from '@feedmesh/contracts';
import type { CandidateSource } from '@feedmesh/feed-core';
import type { ItemRecord, UserReadModel } from '@feedmesh/storage';

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
  /** The item's record (counters) when already read; hydration fills in the rest. */
  stats?: ItemRecord;
}

export interface RecallQuery {
  userId: string;
  /** The viewer's read model, read once per request whichever sources ask (undefined: unknown user). */
  user(): Promise<UserReadModel | undefined>;
}

/** A named candidate source of the recall service (one file per source under `sources/`). */
export type RecallSource = CandidateSource<RecallQuery, RecallCandidate>;
