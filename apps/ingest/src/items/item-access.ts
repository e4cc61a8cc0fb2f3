import { Code } from '@connectrpc/connect';
import { fieldError } from '@feedmesh/service-kit';
import type { ItemOwner, ItemsRepository } from '@feedmesh/storage';

/**
 * Explains why a conditional UPDATE of an item touched no row: NotFound when there is no such
 * item, PermissionDenied when the caller is not its author; otherwise returns the item's owner,
 * kind and status.
 */
export async function loadOwnedItem(items: ItemsRepository, itemId: string, authorId: string): Promise<ItemOwner> {
  const item = await items.owner(itemId);
  if (!item) throw fieldError(Code.NotFound, 'item_id', `item ${itemId} does not exist`);
  if (item.authorId !== authorId) {
    throw fieldError(Code.PermissionDenied, 'author_id', 'only the author may change this item');
  }
  return item;
}
