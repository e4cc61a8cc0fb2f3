import { ItemKind, LiveStatus } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import type { ItemRow } from '../item-row.js';
import { renderCard } from './card-templates.js';

const row = (kind: number, payload: Record<string, unknown>): ItemRow => ({
  id: 'a0000000-0000-4000-8000-000000000000',
  kind,
  authorId: 'u1',
  createdAtMs: 1_700_000_000_123,
  status: 1,
  payload,
});

describe('renderCard', () => {
  it('picks the article template by cover', () => {
    const hero = renderCard(row(ItemKind.ARTICLE, { title: 'T', body: 'B.', cover_url: 'https://x/c.jpg' }));
    expect(hero.item.template).toMatchObject({ id: 'article.hero', version: 2 });
    expect(hero.item.card).toMatchObject({ case: 'article', value: { title: 'T', excerpt: 'B.', readingTimeS: 1 } });
    expect(hero.volatile).toBe(false);
    expect(renderCard(row(ItemKind.ARTICLE, { title: 'T', body: 'B.' })).item.template?.id).toBe('article.compact');
  });

  it('builds video cards', () => {
    const { item } = renderCard(row(ItemKind.VIDEO, { title: 'V', url: 'https://x/v.m3u8', duration_ms: 5000, thumbnail_url: 'https://x/t.jpg' }));
    expect(item.kind).toBe(ItemKind.VIDEO);
    expect(item.template).toMatchObject({ id: 'video.inline', version: 1 });
    expect(item.card).toMatchObject({ case: 'video', value: { durationMs: 5000, streamUrl: 'https://x/v.m3u8', thumbnailUrl: 'https://x/t.jpg' } });
    expect(item.createdAt?.seconds).toBe(1_700_000_000n);
    expect(item.createdAt?.nanos).toBe(123_000_000);
  });

  it('picks the live template by status and keeps live cards volatile', () => {
    const live = renderCard(row(ItemKind.LIVE, { title: 'L', live_status: 2, viewers: 7, started_at: '2026-01-01T00:00:00Z', stream_url: 's' }));
    expect(live.volatile).toBe(true);
    expect(live.item.template?.id).toBe('live.badge');
    expect(live.item.card).toMatchObject({ case: 'live', value: { status: LiveStatus.LIVE, viewers: 7 } });
    const soon = renderCard(row(ItemKind.LIVE, { title: 'S', live_status: 1, viewers: 9, started_at: null }));
    expect(soon.item.template?.id).toBe('live.upcoming');
    expect(soon.item.card.case === 'live' && soon.item.card.value.viewers).toBe(0);
    expect(renderCard(row(ItemKind.LIVE, { live_status: 3 })).item.template?.id).toBe('live.ended');
  });

  it('renders fields of the wrong type as empty values', () => {
    const { item } = renderCard(row(ItemKind.VIDEO, { title: 42, duration_ms: '10', thumbnail_url: null }));
    expect(item.card).toMatchObject({ case: 'video', value: { title: '', durationMs: 0, thumbnailUrl: '' } });
  });

  it('throws on an unknown kind', () => {
    expect(() => renderCard(row(9, {}))).toThrow(/unknown kind 9/);
  });
});
