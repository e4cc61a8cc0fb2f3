import { Code, ConnectError } from '@connectrpc/connect';
import { ItemStatus, type EditItemRequest } from '@feedmesh/contracts';
import { fieldError, invalidArgument } from '@feedmesh/service-kit';
import type { ItemsRepository } from '@feedmesh/storage';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { validatePayload, type PayloadCase } from '../publish/item-payload.js';
import { checkItemId, checkUserId } from '../request/field-checks.js';
import { loadOwnedItem } from './item-access.js';

const KIND_NAMES: Record<number, string> = { 1: 'article', 2: 'video', 3: 'live' };

/** Edits an active item (the payload merged, topics replaced) with its outbox event in one statement. */
export async function editItem(items: ItemsRepository, request: EditItemRequest): Promise<{ itemId: string }> {
  const idProblem = checkItemId(request.itemId);
  if (idProblem) throw invalidArgument('item_id', idProblem);
  const authorProblem = checkUserId(request.authorId);
  if (authorProblem) throw invalidArgument('author_id', authorProblem);
  const validated = validatePayload(request.payload as PayloadCase);
  const edit = { itemId: request.itemId, authorId: request.authorId, kind: validated.kind, fields: validated.fields, topics: validated.topics };
  if (await items.editActive(edit, OUTBOX_TASKS.itemEdited)) return { itemId: request.itemId };
  const item = await loadOwnedItem(items, request.itemId, request.authorId);
  if (item.status !== ItemStatus.ACTIVE) throw fieldError(Code.NotFound, 'item_id', `item ${request.itemId} was deleted`);
  if (item.kind !== validated.kind) {
    throw invalidArgument(request.payload.case ?? 'payload', `the item is a ${KIND_NAMES[item.kind]}; an edit cannot change its kind`);
  }
  // The row changed between the two statements (a concurrent edit or delete); the client retries.
  throw new ConnectError('the item changed concurrently; retry', Code.Aborted);
}
