import { Code } from '@connectrpc/connect';
import { ItemStatus } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { deleteItem } from './delete-item.js';
import { fakeItems, ITEM, ownedBy } from '../../test/fake-items.js';

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
