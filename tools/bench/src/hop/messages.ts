import { create, type DescMethodUnary } from '@bufbuild/protobuf';
import {
  ItemKind,
  RankingService,
  RankRequestSchema,
  RenderRequestSchema,
  RenderService,
  type RankRequest,
  type RenderRequest,
} from '@feedmesh/contracts';

/** The two payload shapes of rpc-floor.md: a ~100-byte exchange and a ~15 KB feed page. */
export type Shape = 'tiny' | 'feed';

export const methods = {
  tiny: RankingService.method.rank as DescMethodUnary,
  feed: RenderService.method.render as DescMethodUnary,
} as const;

export function requestFor(shape: Shape): RankRequest | RenderRequest {
  if (shape === 'tiny') {
    return create(RankRequestSchema, {
      userId: 'u12345',
      candidates: [{ item: { id: '6f1c2a7e-0000-4000-8000-000000000001', kind: ItemKind.VIDEO, authorId: 'u42', createdAtMs: 1_763_700_000_000n }, sources: ['following'] }],
    });
  }
  return create(RenderRequestSchema, {
    userId: 'u12345',
    itemIds: Array.from({ length: 50 }, (_, i) => `6f1c2a7e-0000-4000-8000-${String(i).padStart(12, '0')}`),
  });
}

/** Deterministic responses: the server does no work beyond building them once. */
export function responseFor(shape: Shape): Record<string, unknown> {
  if (shape === 'tiny') {
    return { items: [{ item: { id: '6f1c2a7e-0000-4000-8000-000000000001', kind: ItemKind.VIDEO, authorId: 'u42' }, score: 0.87, sources: ['following'] }], modelVersion: 'bench-1', featureCount: 5 };
  }
  return {
    items: Array.from({ length: 50 }, (_, i) => ({
      id: `6f1c2a7e-0000-4000-8000-${String(i).padStart(12, '0')}`,
      kind: ItemKind.ARTICLE,
      score: 1 - i / 100,
      sources: ['following', 'trending'],
      authorId: `u${1000 + i}`,
      template: { id: 'article.hero', version: 2 },
      card: {
        case: 'article',
        value: {
          title: `A headline of reasonable length for item number ${i}`,
          excerpt: 'The first sentences of the article body, trimmed to fit a card on a phone screen without wrapping too much; more text here.'.slice(0, 140),
          coverUrl: `https://img.example.com/covers/${i}.jpg`,
          readingTimeS: 240,
        },
      },
    })),
  };
}
