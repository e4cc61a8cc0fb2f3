// Plain data builders shared by the unit tests (not shipped logic: only *.test.ts import it).
import { create } from '@bufbuild/protobuf';
import { ArticleCardSchema, CandidateSchema, ItemKind, LiveCardSchema, VideoCardSchema, type Candidate } from '@feedmesh/contracts';
import type { AnyFeedItem, CardKind } from '@feedmesh/feed-core';
import type { SkeletonEntry } from '../src/pipeline/skeleton-entry.js';

export function entry(id: string, score = 1, kind: CardKind = 'article', createdAtMs = 1_000): SkeletonEntry {
  return { id, kind, authorId: `a-${id}`, createdAtMs, score, sources: ['following'] };
}

export function renderedItem(id: string, kind: CardKind = 'article'): AnyFeedItem {
  const base = { id, sources: [], score: 0, authorId: `a-${id}`, createdAtMs: 1_000, template: { id: `${kind}.card`, version: 1 } };
  switch (kind) {
    case 'article':
      return { ...base, kind, data: create(ArticleCardSchema, { title: `t-${id}` }) };
    case 'video':
      return { ...base, kind, data: create(VideoCardSchema, { title: `t-${id}`, durationMs: 1000 }) };
    case 'live':
      return { ...base, kind, data: create(LiveCardSchema, { title: `t-${id}` }) };
  }
}

export function candidate(id: string, createdAtMs: number, kind: ItemKind = ItemKind.ARTICLE): Candidate {
  return create(CandidateSchema, {
    item: { id, kind, authorId: `a-${id}`, createdAtMs: BigInt(createdAtMs) },
    sources: ['following'],
    recallScore: createdAtMs,
  });
}
