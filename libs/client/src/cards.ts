// Typed cards: a feed item as a discriminated union on its kind, so app code switches on
// `card.kind` instead of reading `item.card.case` / `item.card.value`. Forward compatible: an
// item whose card this client does not know (a kind added to the contract later arrives as an
// unknown oneof field, `card.case === undefined`) has no Card and is skipped, never a crash.
import { timestampMs } from '@bufbuild/protobuf/wkt';
import { LiveStatus, type FeedItem } from '@feedmesh/contracts';

/** What every card has, whatever its kind. */
export interface CardBase {
  /** Item id (a UUID). */
  id: string;
  authorId: string;
  /** Publication time in Unix ms; undefined when the item carries none. */
  createdAtMs: number | undefined;
  /** Ranking score (pages are already in display order). */
  score: number;
  /** Recall sources that produced the item, e.g. ["following", "trending"]. */
  sources: string[];
  /** The presentation template render chose, e.g. { id: "article.hero", version: 1 }. */
  template: { id: string; version: number } | undefined;
}

export interface ArticleCard extends CardBase {
  kind: 'article';
  title: string;
  excerpt: string;
  /** Empty when the article has no cover. */
  coverUrl: string;
  readingTimeS: number;
}

export interface VideoCard extends CardBase {
  kind: 'video';
  title: string;
  durationMs: number;
  thumbnailUrl: string;
  streamUrl: string;
}

export type LiveCardStatus = 'scheduled' | 'live' | 'ended' | 'unknown';

export interface LiveCard extends CardBase {
  kind: 'live';
  title: string;
  status: LiveCardStatus;
  /** Concurrent viewers at render time. */
  viewers: number;
  /** When the stream went live (Unix ms); undefined while scheduled. */
  startedAtMs: number | undefined;
  streamUrl: string;
}

export type Card = ArticleCard | VideoCard | LiveCard;
export type CardKind = Card['kind'];

const liveStatuses: Partial<Record<LiveStatus, LiveCardStatus>> = {
  [LiveStatus.SCHEDULED]: 'scheduled',
  [LiveStatus.LIVE]: 'live',
  [LiveStatus.ENDED]: 'ended',
};

function base(item: FeedItem): CardBase {
  return {
    id: item.id,
    authorId: item.authorId,
    createdAtMs: item.createdAt ? timestampMs(item.createdAt) : undefined,
    score: item.score,
    sources: item.sources,
    template: item.template ? { id: item.template.id, version: item.template.version } : undefined,
  };
}

/** The item's typed card, or undefined when its card is of a kind this client does not know (or absent). */
export function toCard(item: FeedItem): Card | undefined {
  const card = item.card;
  switch (card.case) {
    case 'article':
      return { ...base(item), kind: 'article', title: card.value.title, excerpt: card.value.excerpt, coverUrl: card.value.coverUrl, readingTimeS: card.value.readingTimeS };
    case 'video':
      return { ...base(item), kind: 'video', title: card.value.title, durationMs: card.value.durationMs, thumbnailUrl: card.value.thumbnailUrl, streamUrl: card.value.streamUrl };
    case 'live':
      return {
        ...base(item),
        kind: 'live',
        title: card.value.title,
        status: liveStatuses[card.value.status] ?? 'unknown',
        viewers: card.value.viewers,
        startedAtMs: card.value.startedAt ? timestampMs(card.value.startedAt) : undefined,
        streamUrl: card.value.streamUrl,
      };
    default:
      // A kind added after this client was built: not renderable here, skipped.
      return undefined;
  }
}

/** The cards of `items` this client can render, in their order; unknown kinds are left out. */
export function renderable(items: readonly FeedItem[]): Card[] {
  const cards: Card[] = [];
  for (const item of items) {
    const card = toCard(item);
    if (card) cards.push(card);
  }
  return cards;
}
