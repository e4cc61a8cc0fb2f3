import { Code, ConnectError } from '@connectrpc/connect';
import type { ItemOwner, ItemsRepository } from '@feedmesh/storage';

/**
 * Explains why a conditional UPDATE of an item touched no row: NotFound when there is no such
 * item, PermissionDenied when the caller is not its author; otherwise returns the item's owner,
 * kind and status.
 */
export async function loadOwnedItem(items: ItemsRepository, itemId: string, authorId: string): Promise<ItemOwner> {
  const item = await items.owner(itemId);
  if (!item) throw new ConnectError(`item_id: item ${itemId} does not exist`, Code.NotFound, { 'x-field-violation': 'item_id' });
  if (item.authorId !== authorId) {
    throw new ConnectError('author_id: only the author may change this item', Code.PermissionDenied, { 'x-field-violation': 'author_id' });
  }
  return item;
}
