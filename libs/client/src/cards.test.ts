import { LiveStatus } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { article, futureKind, live, video } from '../test/support/fixtures.js';
import { renderable, toCard, type Card } from './cards.js';

describe('cards', () => {
  it('turns each known card into its kind, with the envelope fields', () => {
    expect(toCard(article('a1'))).toEqual({
      kind: 'article',
      id: 'a1',
      authorId: 'u2',
      createdAtMs: 1_700_000_000_000,
      score: 1,
      sources: ['following'],
      template: { id: 'article.hero', version: 1 },
      title: 'Article a1',
      excerpt: 'First sentences.',
      coverUrl: '',
      readingTimeS: 60,
    });
    expect(toCard(video('v1'))).toMatchObject({ kind: 'video', durationMs: 90_000, streamUrl: 'https://s/1.m3u8', createdAtMs: undefined, template: undefined });
    expect(toCard(live('l1'))).toMatchObject({ kind: 'live', status: 'live', viewers: 12, startedAtMs: 1_700_000_100_000 });
    expect(toCard(live('l2', LiveStatus.SCHEDULED))).toMatchObject({ status: 'scheduled' });
    expect(toCard(live('l3', 9 as LiveStatus))).toMatchObject({ status: 'unknown' });
  });

  it('an unknown kind has no card, and renderable skips it without failing', () => {
    const future = futureKind('f1');
    expect(future.card.case).toBeUndefined();
    expect(future.kind).toBe(4);
    expect(toCard(future)).toBeUndefined();
    const cards = renderable([article('a1'), future, video('v1'), live('l1')]);
    expect(cards.map((c) => [c.kind, c.id])).toEqual([
      ['article', 'a1'],
      ['video', 'v1'],
      ['live', 'l1'],
    ]);
  });

  it('switches exhaustively on kind (compile-time check)', () => {
    const label = (card: Card): string => {
      switch (card.kind) {
        case 'article':
          return `${card.title} (${card.readingTimeS} s)`;
        case 'video':
          return `${card.title} (${card.durationMs} ms)`;
        case 'live':
          return `${card.title} (${card.status})`;
        default: {
          const never: never = card;
          return never;
        }
      }
    };
    expect(renderable([article('a'), video('v'), live('l')]).map(label)).toEqual(['Article a (60 s)', 'Video v (90000 ms)', 'Live l (live)']);
  });
});
