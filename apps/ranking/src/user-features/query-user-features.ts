// Loads one user's ranking features from the read model: one HGETALL of the user's hash in
// Redis, or, on a miss, a read-through to Postgres that the ReadModel writes back (so the next
// load is a Redis hit). Only the affinity parts of the model are used here. A user the read
// model does not know ranks with empty features, as a user without affinity rows always has.
import { emptyUserFeatures, type UserFeatures } from '@feedmesh/feed-core';
import type { ReadModel } from '@feedmesh/storage';

export type UserReadModelSource = Pick<ReadModel, 'user'>;

export async function queryUserFeatures(readModel: UserReadModelSource, userId: string, maxAuthorAffinities: number): Promise<UserFeatures> {
  const model = await readModel.user(userId);
  if (model === undefined) return emptyUserFeatures;
  return { authorAffinity: strongest(model.authorAffinity, maxAuthorAffinities), kindAffinity: model.kindAffinity };
}

/**
 * At most `max` affinities, strongest first (ties by author id), as the Postgres load keeps them:
 * a Redis hash that updates grew past the bound must not make a heavy user's requests slow.
 */
function strongest(affinity: Map<string, number>, max: number): Map<string, number> {
  if (affinity.size <= max) return affinity;
  const kept = [...affinity].sort(([a, x], [b, y]) => (x !== y ? (x > y ? -1 : 1) : a < b ? -1 : a > b ? 1 : 0)).slice(0, max);
  return new Map(kept);
}
