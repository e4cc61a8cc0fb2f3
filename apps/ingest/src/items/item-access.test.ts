import { Code } from '@connectrpc/connect';
import { ItemStatus } from '@feedmesh/contracts';
import type { ItemOwner, ItemsRepository } from '@feedmesh/storage';
import { describe, expect, it } from 'vitest';
import { loadOwnedItem } from './item-access.js';

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

describe('loadOwnedItem', () => {
  it("returns the caller's own item", async () => {
    expect(await loadOwnedItem(fakeItems(ownedBy('a1')).items, ITEM, 'a1')).toEqual(ownedBy('a1'));
  });

  it('tells a missing item (NotFound) from one of another author (PermissionDenied)', async () => {
    await expect(loadOwnedItem(fakeItems(undefined).items, ITEM, 'a1')).rejects.toMatchObject({ code: Code.NotFound, rawMessage: `item_id: item ${ITEM} does not exist` });
    await expect(loadOwnedItem(fakeItems(ownedBy('a2')).items, ITEM, 'a1')).rejects.toMatchObject({
      code: Code.PermissionDenied,
      rawMessage: 'author_id: only the author may change this item',
    });
  });
});
