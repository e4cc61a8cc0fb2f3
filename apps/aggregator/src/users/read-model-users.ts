import { userReadModelPresent, type ReadModel, type RedisClient } from '@feedmesh/storage';
import type { UserLookup } from './user-directory.js';

/**
 * "Does this user exist?" from the read model: one HEXISTS on the user's hash, and only for a
 * user Redis does not know, the read model's Postgres read-through (which writes the user back).
 */
export function readModelUsers(redis: RedisClient, readModel: ReadModel): UserLookup {
  return {
    async exists(userId) {
      if (await userReadModelPresent(redis, userId)) return true;
      return (await readModel.user(userId)) !== undefined;
    },
  };
}
