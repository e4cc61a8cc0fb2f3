import { Code } from '@connectrpc/connect';
import { ItemStatus } from '@feedmesh/contracts';
import type { ItemOwner, ItemsRepository } from '@feedmesh/storage';
import { describe, expect, it } from 'vitest';
import { deleteItem } from './delete-item.js';

const ITEM = '0f8fad5b-d9cb-469f-a165-70867728950e';

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

describe('deleteItem', () => {
  const del = (fields: { itemId?: string; authorId?: string } = {}) => ({ itemId: ITEM, authorId: 'a1', ...fields }) as never;

  it('deletes once, and answers deleted: false for an item of the caller already deleted', async () => {
    const first = fakeItems(undefined, true);
    expect(await deleteItem(first.items, del())).toEqual({ deleted: true });
    expect(first.calls).toEqual(['delete item_deleted']);
    const again = fakeItems(ownedBy('a1', ItemStatus.DELETED));
    expect(await deleteItem(again.items, del())).toEqual({ deleted: false });
    expect(again.calls).toEqual(['delete item_deleted', 'owner']);
  });

  it("refuses bad ids, missing items and other authors' items", async () => {
    await expect(deleteItem(fakeItems(undefined).items, del({ itemId: '' }))).rejects.toMatchObject({ rawMessage: 'item_id: is required' });
    await expect(deleteItem(fakeItems(undefined).items, del())).rejects.toMatchObject({ code: Code.NotFound });
    await expect(deleteItem(fakeItems(ownedBy('a2')).items, del())).rejects.toMatchObject({ code: Code.PermissionDenied });
  });
});
