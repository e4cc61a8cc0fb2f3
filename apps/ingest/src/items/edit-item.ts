import { Code, ConnectError } from '@connectrpc/connect';
import type { EditItemRequest } from '@feedmesh/contracts';
import { invalidArgument } from '@feedmesh/service-kit';
import type pg from 'pg';
import { OUTBOX_TASKS } from '../outbox/outbox-tasks.js';
import { validatePayload, type PayloadCase } from '../publish/item-payload.js';
import { checkItemId, checkUserId } from '../validation/field-checks.js';
import { loadOwnedItem } from './item-access.js';

const KIND_NAMES: Record<number, string> = { 1: 'article', 2: 'video', 3: 'live' };

// The payload is merged (||) so server-kept fields (a live stream's status, viewers) survive.
// The previous topics travel with the event so the worker can leave topics the edit dropped.
const UPDATE_ITEM_WITH_EVENT = `
WITH previous AS (
  SELECT id, topics FROM items WHERE id = $1 AND author_id = $2 AND kind = $3 AND status = 1 FOR UPDATE
), updated AS (
  UPDATE items SET payload = items.payload || $4::jsonb, topics = $5::text[], updated_at = now()
  FROM previous WHERE items.id = previous.id
  RETURNING items.id, previous.topics AS previous_topics
)
SELECT updated.id, job.id AS job_id
FROM updated CROSS JOIN LATERAL graphile_worker.add_job($6, json_build_object('itemId', updated.id, 'previousTopics', updated.previous_topics)) AS job`;

export async function editItem(pool: pg.Pool, request: EditItemRequest): Promise<{ itemId: string }> {
  const idProblem = checkItemId(request.itemId);
  if (idProblem) throw invalidArgument('item_id', idProblem);
  const authorProblem = checkUserId(request.authorId);
  if (authorProblem) throw invalidArgument('author_id', authorProblem);
  const validated = validatePayload(request.payload as PayloadCase);
  const { rowCount } = await pool.query(UPDATE_ITEM_WITH_EVENT, [
    request.itemId,
    request.authorId,
    validated.kind,
    JSON.stringify(validated.fields),
    validated.topics,
    OUTBOX_TASKS.itemEdited,
  ]);
  if (rowCount) return { itemId: request.itemId };
  const row = await loadOwnedItem(pool, request.itemId, request.authorId);
  if (row.status !== 1) throw new ConnectError(`item_id: item ${request.itemId} was deleted`, Code.NotFound, { 'x-field-violation': 'item_id' });
  if (row.kind !== validated.kind) {
    throw invalidArgument(request.payload.case ?? 'payload', `the item is a ${KIND_NAMES[row.kind]}; an edit cannot change its kind`);
  }
  // The row changed between the two statements (a concurrent edit or delete); the client retries.
  throw new ConnectError('the item changed concurrently; retry', Code.Aborted);
}
