// For the item write paths' unit tests (src/items/*.test.ts): an items repository over one owner row.
import { ItemStatus } from '@feedmesh/contracts';
import type { ItemOwner, ItemsRepository } from '@feedmesh/storage';

export const ITEM = '0f8fad5b-d9cb-469f-a165-70867728950e';

/** An item store whose conditional writes touch no row (`written` false) or one, and the item's owner row. */
export function fakeItems(owner: ItemOwner | undefined, written = false) {
  const calls: string[] = [];
  const items = {
    owner: async () => (calls.push('owner'), owner),
    editActive: async (_edit: unknown, task: string) => (calls.push(`edit ${task}`), written),
    deleteActive: async (_id: string, _author: string, task: string) => (calls.push(`delete ${task}`), written),
  } as unknown as ItemsRepository;
  return { items, calls };
}

export const ownedBy = (authorId: string, status = ItemStatus.ACTIVE, kind = 1): ItemOwner => ({ authorId, kind, status });
