import { Code } from '@connectrpc/connect';
import { ItemStatus } from '@feedmesh/contracts';
import type { ItemOwner, ItemsRepository } from '@feedmesh/storage';
import { describe, expect, it } from 'vitest';
import { editItem } from './edit-item.js';

const ITEM = '0f8fad5b-d9cb-469f-a165-70867728950e';
const article = { case: 'article' as const, value: { title: 'T', body: 'B', coverUrl: '' } };

/** An item store whose conditional writes touch no row (`written` false) or one, and the item's owner row. */
function fakeItems(owner: ItemOwner | undefined, written = false) {
  const calls: string[] = [];
  const items = {
    owner: async () => (calls.push('owner'), owner),
    editActive: async (_edit: unknown, task: string) => (calls.push(`edit ${task}`), written),
    deleteActive: async (_id: string, _author: string, task: string) => (calls.push(`delete ${task}`), written),
  } as unknown as ItemsRepository;
  return { items, calls };
}
const ownedBy = (authorId: string, status = ItemStatus.ACTIVE, kind = 1): ItemOwner => ({ authorId, kind, status });

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
