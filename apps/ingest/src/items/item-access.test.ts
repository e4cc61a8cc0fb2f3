import { Code } from '@connectrpc/connect';
import { describe, expect, it } from 'vitest';
import { loadOwnedItem } from './item-access.js';
import { fakeItems, ITEM, ownedBy } from '../../test/fake-items.js';

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
