import type { DeleteItemRequest } from '@feedmesh/contracts';
import { invalidArgument } from '@feedmesh/service-kit';
import type { ItemsRepository } from '@feedmesh/storage';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { checkItemId, checkUserId } from '../request/field-checks.js';
import { loadOwnedItem } from './item-access.js';

/** Deletes an item (soft delete and its outbox event in one statement); `deleted` is false when it already was. Idempotent. */
export async function deleteItem(items: ItemsRepository, request: DeleteItemRequest): Promise<{ deleted: boolean }> {
  const idProblem = checkItemId(request.itemId);
  if (idProblem) throw invalidArgument('item_id', idProblem);
  const authorProblem = checkUserId(request.authorId);
  if (authorProblem) throw invalidArgument('author_id', authorProblem);
  if (await items.deleteActive(request.itemId, request.authorId, OUTBOX_TASKS.itemDeleted)) return { deleted: true };
  await loadOwnedItem(items, request.itemId, request.authorId);
  return { deleted: false };
}
