import type { DeleteItemRequest } from '@feedmesh/contracts';
import { invalidArgument } from '@feedmesh/service-kit';
import type pg from 'pg';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { checkItemId, checkUserId } from '../validation/field-checks.js';
import { loadOwnedItem } from './item-access.js';

// Soft delete (status DELETED) and its outbox event in one statement. The job key makes a
// repeated delete of the same item collapse into one pending job.
const DELETE_ITEM_WITH_EVENT = `
WITH deleted AS (
  UPDATE items SET status = 2, updated_at = now()
  WHERE id = $1 AND author_id = $2 AND status = 1
  RETURNING id
)
SELECT deleted.id, job.id AS job_id
FROM deleted CROSS JOIN LATERAL graphile_worker.add_job($3, json_build_object('itemId', deleted.id), job_key => 'item:' || deleted.id || ':deleted') AS job`;

/** Deletes an item; `deleted` is false when it already was. Idempotent. */
export async function deleteItem(pool: pg.Pool, request: DeleteItemRequest): Promise<{ deleted: boolean }> {
  const idProblem = checkItemId(request.itemId);
  if (idProblem) throw invalidArgument('item_id', idProblem);
  const authorProblem = checkUserId(request.authorId);
  if (authorProblem) throw invalidArgument('author_id', authorProblem);
  const { rowCount } = await pool.query(DELETE_ITEM_WITH_EVENT, [request.itemId, request.authorId, OUTBOX_TASKS.itemDeleted]);
  if (rowCount) return { deleted: true };
  await loadOwnedItem(pool, request.itemId, request.authorId);
  return { deleted: false };
}
