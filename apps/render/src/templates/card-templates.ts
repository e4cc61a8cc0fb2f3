// The one table from card kind to its template; the proto oneof mapping stays generic in
// feed-core's toProtoFeedItem, so adding a kind is one entry here.
import type { FeedItem as ProtoFeedItem } from '@feedmesh/contracts';
import { cardKindFromItemKind, toProtoFeedItem, type AnyFeedItem, type CardKind } from '@feedmesh/feed-core';
import type { ItemRow } from '../item-row.js';
import { articleTemplate } from './article-template.js';
import type { CardTemplate } from './card-template.js';
import { liveTemplate } from './live-template.js';
import { videoTemplate } from './video-template.js';

export const cardTemplates: { readonly [K in CardKind]: CardTemplate<K> } = {
  article: articleTemplate,
  video: videoTemplate,
  live: liveTemplate,
};

/** True for cards of a volatile template (live): cached for a short time only. */
export function isVolatileCard(item: ProtoFeedItem): boolean {
  const kind = item.card.case;
  return kind !== undefined && cardTemplates[kind].volatile;
}

export interface RenderedCard {
  item: ProtoFeedItem;
  volatile: boolean;
}

/** Renders an items row into the FeedItem envelope (score and sources unset, as the contract says). */
export function renderCard(row: ItemRow): RenderedCard {
  const kind = cardKindFromItemKind(row.kind);
  if (kind === undefined) throw new Error(`item ${row.id}: unknown kind ${row.kind}`);
  const template = cardTemplates[kind] as CardTemplate<CardKind>;
  const { template: ref, data } = template.build(row);
  // AnyFeedItem ties `data` to `kind`; the table above guarantees they match.
  const feedItem = { id: row.id, kind, sources: [], score: 0, authorId: row.authorId, createdAtMs: row.createdAtMs, template: ref, data } as AnyFeedItem;
  return { item: toProtoFeedItem(feedItem), volatile: template.volatile };
}
