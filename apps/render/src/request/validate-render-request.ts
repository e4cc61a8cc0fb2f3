import type { RenderRequest } from '@feedmesh/contracts';
import { invalidArgument } from '@feedmesh/service-kit';

export const MAX_ITEM_IDS = 500;
const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ANY_CASE_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Item ids in request order, lower-cased (Postgres' canonical UUID text, and the cache key).
 * Callers send lower-case ids almost always: then the request's own array comes back, with no
 * copy and no toLowerCase() per id. Do not mutate it.
 */
export function validateRenderRequest(req: Pick<RenderRequest, 'itemIds'>): readonly string[] {
  const { itemIds } = req;
  if (itemIds.length === 0) throw invalidArgument('item_ids', 'at least one id is required');
  if (itemIds.length > MAX_ITEM_IDS) throw invalidArgument('item_ids', `at most ${MAX_ITEM_IDS} ids per call, got ${itemIds.length}`);
  let lowered: string[] | undefined;
  for (let i = 0; i < itemIds.length; i++) {
    const id = itemIds[i]!;
    if (LOWER_UUID.test(id)) continue;
    if (!ANY_CASE_UUID.test(id)) throw invalidArgument(`item_ids[${i}]`, 'must be a UUID');
    (lowered ??= itemIds.slice())[i] = id.toLowerCase();
  }
  return lowered ?? itemIds;
}
