// Feed items for the unit tests, built as the aggregator sends them.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import { FeedItemSchema, ItemKind, LiveStatus, type FeedItem } from '@feedmesh/contracts';

export function article(id: string, title = `Article ${id}`): FeedItem {
  return create(FeedItemSchema, {
    id,
    kind: ItemKind.ARTICLE,
    score: 1,
    sources: ['following'],
    authorId: 'u2',
    createdAt: timestampFromMs(1_700_000_000_000),
    template: { id: 'article.hero', version: 1 },
    card: { case: 'article', value: { title, excerpt: 'First sentences.', coverUrl: '', readingTimeS: 60 } },
  });
}

export function video(id: string): FeedItem {
  return create(FeedItemSchema, {
    id,
    kind: ItemKind.VIDEO,
    authorId: 'u3',
    card: { case: 'video', value: { title: `Video ${id}`, durationMs: 90_000, thumbnailUrl: 'https://t/1.jpg', streamUrl: 'https://s/1.m3u8' } },
  });
}

export function live(id: string, status = LiveStatus.LIVE): FeedItem {
  return create(FeedItemSchema, {
    id,
    kind: ItemKind.LIVE,
    authorId: 'u4',
    card: { case: 'live', value: { title: `Live ${id}`, status, viewers: 12, startedAt: timestampFromMs(1_700_000_100_000), streamUrl: 'https://s/live' } },
  });
}

/**
 * An item of a kind added to the contract after this client was built: kind 4 and a card in
 * oneof field 13, which this client's schema does not know (decoded as an unknown field).
 */
export function futureKind(id: string): FeedItem {
  const known = toBinary(FeedItemSchema, create(FeedItemSchema, { id, authorId: 'u5' }));
  // field 2 (kind) = 4, varint; field 13, length-delimited: a message whose field 1 is "poll".
  const extra = [0x10, 0x04, 0x6a, 0x06, 0x0a, 0x04, ...new TextEncoder().encode('poll')];
  return fromBinary(FeedItemSchema, new Uint8Array([...known, ...extra]));
}
