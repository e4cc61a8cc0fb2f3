import { ItemKind, MissingReason } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { renderCard } from '../templates/card-templates.js';
import { decodeCardEntry, encodeCardEntry } from './card-entry.js';

describe('card entry encoding', () => {
  it('round-trips a card with its expiry', () => {
    const { item } = renderCard({ id: 'a0000000-0000-4000-8000-000000000000', kind: ItemKind.VIDEO, authorId: 'u1', createdAtMs: 1, status: 1, payload: { title: 'V' } });
    const decoded = decodeCardEntry(encodeCardEntry({ type: 'card', item, expiresAtMs: 123.5 }));
    expect(decoded?.type).toBe('card');
    expect(decoded?.expiresAtMs).toBe(123.5);
    expect(decoded?.type === 'card' && decoded.item.card).toMatchObject({ case: 'video', value: { title: 'V' } });
  });

  it('round-trips a negative entry', () => {
    expect(decodeCardEntry(encodeCardEntry({ type: 'missing', reason: MissingReason.DELETED, expiresAtMs: 9 }))).toEqual({
      type: 'missing',
      reason: MissingReason.DELETED,
      expiresAtMs: 9,
    });
  });

  it('reads anything else as a miss', () => {
    expect(decodeCardEntry(Buffer.from('hello world, not an entry'))).toBeUndefined();
    expect(decodeCardEntry(Buffer.alloc(3))).toBeUndefined();
  });
});
