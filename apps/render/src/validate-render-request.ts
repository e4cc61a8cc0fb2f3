import type { RenderRequest } from '@feedmesh/contracts';
import { invalidArgument } from '@feedmesh/service-kit';

export const MAX_ITEM_IDS = 500;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Item ids in request order, lower-cased (Postgres' canonical UUID text, and the cache key). */
export function validateRenderRequest(req: Pick<RenderRequest, 'itemIds'>): string[] {
  const { itemIds } = req;
  if (itemIds.length === 0) throw invalidArgument('item_ids', 'at least one id is required');
  if (itemIds.length > MAX_ITEM_IDS) throw invalidArgument('item_ids', `at most ${MAX_ITEM_IDS} ids per call, got ${itemIds.length}`);
  return itemIds.map((id, i) => {
    if (!UUID_PATTERN.test(id)) throw invalidArgument(`item_ids[${i}]`, 'must be a UUID');
    return id.toLowerCase();
  });
}
