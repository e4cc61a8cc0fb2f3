// The one generic envelope every content kind travels in (seed 001: `FeedItem[T]`), so that
// ranking, dedupe and paging are written once. The proto carries the card in `oneof card`
// whose case names are exactly the CardKind strings; the mapping below relies on that and
// stays generic — adding a kind means one entry in `itemKindByCardKind` and `CardByKind`.
import { create } from '@bufbuild/protobuf';
import { timestampFromMs, timestampMs } from '@bufbuild/protobuf/wkt';
import {
  FeedItemSchema,
  ItemKind,
  TemplateSchema,
  type ArticleCard,
  type FeedItem as ProtoFeedItem,
  type LiveCard,
  type VideoCard,
} from '@feedmesh/contracts';

/** Card type of each kind, keyed by the proto oneof case name. */
export interface CardByKind {
  article: ArticleCard;
  video: VideoCard;
  live: LiveCard;
}

export type CardKind = keyof CardByKind;

export interface FeedItem<T> {
  id: string;
  kind: CardKind;
  /** Recall sources that produced the item, e.g. ["following", "trending"]. */
  sources: string[];
  score: number;
  authorId: string;
  createdAtMs: number;
  template: { id: string; version: number };
  data: T;
}

/** A feed item whose `data` is known from `kind` (narrow with `item.kind === 'video'`). */
export type AnyFeedItem = { [K in CardKind]: FeedItem<CardByKind[K]> & { kind: K } }[CardKind];

/** The proto `card` oneof, built from CardByKind. */
type CardOneof = { [K in CardKind]: { case: K; value: CardByKind[K] } }[CardKind];

// Compile-time proof that CardOneof is exactly the generated oneof (minus the empty case):
// if the proto gains or renames a card, this line stops compiling.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const cardOneofMatchesProto: Same<CardOneof, Exclude<ProtoFeedItem['card'], { case: undefined }>> = true;
void cardOneofMatchesProto;

const itemKindByCardKind: Readonly<Record<CardKind, ItemKind>> = {
  article: ItemKind.ARTICLE,
  video: ItemKind.VIDEO,
  live: ItemKind.LIVE,
};

const cardKindByItemKind: ReadonlyMap<ItemKind, CardKind> = new Map(
  (Object.keys(itemKindByCardKind) as CardKind[]).map((k) => [itemKindByCardKind[k], k]),
);

export const cardKinds: readonly CardKind[] = Object.keys(itemKindByCardKind) as CardKind[];

export function itemKindFromCardKind(kind: CardKind): ItemKind {
  return itemKindByCardKind[kind];
}

/** The card kind of a proto ItemKind; undefined for UNSPECIFIED or an unknown value. */
export function cardKindFromItemKind(kind: ItemKind): CardKind | undefined {
  return cardKindByItemKind.get(kind);
}

export class FeedItemMappingError extends Error {
  override readonly name = 'FeedItemMappingError';
}

export function toProtoFeedItem(item: AnyFeedItem): ProtoFeedItem {
  // TypeScript cannot correlate `item.kind` with `item.data` across the union,
  // but AnyFeedItem guarantees it and CardOneof is checked against the proto above.
  const card = { case: item.kind, value: item.data } as CardOneof;
  return create(FeedItemSchema, {
    id: item.id,
    kind: itemKindFromCardKind(item.kind),
    score: item.score,
    sources: [...item.sources],
    authorId: item.authorId,
    createdAt: timestampFromMs(item.createdAtMs),
    template: create(TemplateSchema, item.template),
    card,
  });
}

/** Throws FeedItemMappingError when the card is missing or its case disagrees with `kind`. */
export function fromProtoFeedItem(proto: ProtoFeedItem): AnyFeedItem {
  const { card } = proto;
  if (card.case === undefined) {
    throw new FeedItemMappingError(`feed item ${proto.id}: no card set`);
  }
  const kind = cardKindFromItemKind(proto.kind);
  if (kind !== card.case) {
    throw new FeedItemMappingError(
      `feed item ${proto.id}: kind ${ItemKind[proto.kind] ?? proto.kind} does not match card "${card.case}"`,
    );
  }
  return {
    id: proto.id,
    kind: card.case,
    sources: [...proto.sources],
    score: proto.score,
    authorId: proto.authorId,
    createdAtMs: proto.createdAt ? timestampMs(proto.createdAt) : 0,
    template: { id: proto.template?.id ?? '', version: proto.template?.version ?? 0 },
    data: card.value,
  } as AnyFeedItem;
}
