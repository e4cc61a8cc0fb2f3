import { Code } from '@connectrpc/connect';
import { ItemStatus } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { editItem } from './edit-item.js';
import { fakeItems, ITEM, ownedBy } from '../../test/fake-items.js';

const article = { case: 'article' as const, value: { title: 'T', body: 'B', coverUrl: '' } };

describe('editItem', () => {
  const edit = (fields: { itemId?: string; authorId?: string; payload?: unknown } = {}) =>
    ({ itemId: ITEM, authorId: 'a1', payload: article, ...fields }) as never;

  it('edits an active item with its event in one write, and asks nothing more', async () => {
    const { items, calls } = fakeItems(undefined, true);
    expect(await editItem(items, edit())).toEqual({ itemId: ITEM });
    expect(calls).toEqual(['edit item_edited']);
  });

  it('validates ids and the payload first', async () => {
    const { items, calls } = fakeItems(undefined, true);
    await expect(editItem(items, edit({ itemId: 'x' }))).rejects.toMatchObject({ rawMessage: 'item_id: must be a UUID' });
    await expect(editItem(items, edit({ authorId: '' }))).rejects.toMatchObject({ rawMessage: 'author_id: is required' });
    await expect(editItem(items, edit({ payload: { case: undefined } }))).rejects.toMatchObject({ code: Code.InvalidArgument, rawMessage: 'payload: one of article, video or live is required' });
    expect(calls).toEqual([]);
  });

  it('explains an edit that touched no row: deleted, another kind, or a concurrent change', async () => {
    await expect(editItem(fakeItems(ownedBy('a1', ItemStatus.DELETED)).items, edit())).rejects.toMatchObject({ code: Code.NotFound, rawMessage: `item_id: item ${ITEM} was deleted` });
    await expect(editItem(fakeItems(ownedBy('a1', ItemStatus.ACTIVE, 2)).items, edit())).rejects.toMatchObject({
      code: Code.InvalidArgument,
      rawMessage: 'article: the item is a video; an edit cannot change its kind',
    });
    await expect(editItem(fakeItems(ownedBy('a1')).items, edit())).rejects.toMatchObject({ code: Code.Aborted });
    await expect(editItem(fakeItems(ownedBy('a2')).items, edit())).rejects.toMatchObject({ code: Code.PermissionDenied });
  });
});
