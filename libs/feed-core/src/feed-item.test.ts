import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { timestampFromMs } from '@bufbuild/protobuf/wkt';
import {
  ArticleCardSchema,
  FeedItemSchema,
  ItemKind,
  LiveCardSchema,
  LiveStatus,
  VideoCardSchema,
} from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import {
  cardKindFromItemKind,
  cardKinds,
  FeedItemMappingError,
  fromProtoFeedItem,
  itemKindFromCardKind,
  toProtoFeedItem,
  type AnyFeedItem,
} from './feed-item.js';

const base = {
  score: 0.75,
  sources: ['following', 'trending'],
  authorId: 'author-1',
  createdAtMs: 1_700_000_123_456,
  template: { id: 'card.default', version: 3 },
};

const samples: AnyFeedItem[] = [
  {
    ...base,
    id: 'a1',
    kind: 'article',
    template: { id: 'article.hero', version: 2 },
    data: create(ArticleCardSchema, { title: 'T', excerpt: 'E', coverUrl: 'https://x/c.jpg', readingTimeS: 120 }),
  },
  {
    ...base,
    id: 'v1',
    kind: 'video',
    data: create(VideoCardSchema, { title: 'V', durationMs: 61_000, thumbnailUrl: 'https://x/t.jpg', streamUrl: 'https://x/v.m3u8' }),
  },
  {
    ...base,
    id: 'l1',
    kind: 'live',
    data: create(LiveCardSchema, {
      title: 'L',
      status: LiveStatus.LIVE,
      viewers: 42,
      startedAt: timestampFromMs(1_700_000_000_000),
      streamUrl: 'https://x/l.m3u8',
    }),
  },
];

describe('feed item mapping', () => {
  it.each(samples)('round-trips a $kind item through the proto and the wire', (item) => {
    const proto = toProtoFeedItem(item);
    expect(proto.card.case).toBe(item.kind);
    expect(proto.kind).toBe(itemKindFromCardKind(item.kind));
    const wire = fromBinary(FeedItemSchema, toBinary(FeedItemSchema, proto));
    expect(fromProtoFeedItem(wire)).toEqual(item);
  });

  it('keeps the card type tied to the kind', () => {
    const item = fromProtoFeedItem(toProtoFeedItem(samples[1]!));
    if (item.kind !== 'video') throw new Error('expected a video');
    expect(item.data.durationMs).toBe(61_000);
  });

  it('maps every card kind to a distinct item kind and back', () => {
    expect(cardKinds).toEqual(['article', 'video', 'live']);
    for (const kind of cardKinds) expect(cardKindFromItemKind(itemKindFromCardKind(kind))).toBe(kind);
    expect(new Set(cardKinds.map(itemKindFromCardKind)).size).toBe(3);
    expect(cardKindFromItemKind(ItemKind.UNSPECIFIED)).toBeUndefined();
    expect(cardKindFromItemKind(99 as ItemKind)).toBeUndefined();
  });

  it('rejects a proto item without a card', () => {
    const proto = create(FeedItemSchema, { id: 'x', kind: ItemKind.ARTICLE });
    expect(() => fromProtoFeedItem(proto)).toThrow(FeedItemMappingError);
  });

  it('rejects a proto item whose card disagrees with its kind', () => {
    const proto = toProtoFeedItem(samples[0]!);
    proto.kind = ItemKind.VIDEO;
    expect(() => fromProtoFeedItem(proto)).toThrow(/does not match card "article"/);
  });

  it('fills proto defaults for a missing template and timestamp', () => {
    const proto = create(FeedItemSchema, {
      id: 'x',
      kind: ItemKind.VIDEO,
      card: { case: 'video', value: create(VideoCardSchema, { title: 'V' }) },
    });
    const item = fromProtoFeedItem(proto);
    expect(item.template).toEqual({ id: '', version: 0 });
    expect(item.createdAtMs).toBe(0);
  });
});
