// Publish idempotency claims in Redis: `{a:<author>}:publish:<request id>` (SET NX EX), holding a
// pending marker while the publish runs, then "<item id> <payload digest>".
import { PUBLISH_CLAIM_TTL_S } from '../feed-limits.js';
import { redisKeys } from '../keys.js';
import type { RedisClient } from '../redis.js';

/**
 * The fast idempotency claim in front of Postgres. It only saves work: the unique constraint
 * (author_id, request_id) is the guarantee, so every failure here (Redis down, timeout) reads as
 * "no claim" and the publish goes on to Postgres.
 */
export type ClaimResult =
  /** This call holds the claim; it should create the item. */
  | { state: 'claimed' }
  /** A previous call finished: the item id it created and its payload digest. */
  | { state: 'done'; itemId: string; digest: string }
  /** Someone else is creating it right now, or Redis could not say: ask Postgres. */
  | { state: 'unknown' };

const PENDING = 'pending';

export class PublishClaimsRepository {
  constructor(private readonly redis: RedisClient) {}

  async claim(authorId: string, requestId: string): Promise<ClaimResult> {
    const key = redisKeys.publishClaim(authorId, requestId);
    try {
      const set = await this.redis.set(key, PENDING, 'EX', PUBLISH_CLAIM_TTL_S, 'NX');
      if (set === 'OK') return { state: 'claimed' };
      const value = await this.redis.get(key);
      // "<item id> <digest>"; a pending marker, or a claim written before digests, asks Postgres.
      const space = value ? value.indexOf(' ') : -1;
      return space > 0 ? { state: 'done', itemId: value!.slice(0, space), digest: value!.slice(space + 1) } : { state: 'unknown' };
    } catch {
      return { state: 'unknown' };
    }
  }

  /** Records the committed item id and payload digest so retries within the TTL skip Postgres. Best effort. */
  async complete(authorId: string, requestId: string, itemId: string, digest: string): Promise<void> {
    try {
      await this.redis.set(redisKeys.publishClaim(authorId, requestId), `${itemId} ${digest}`, 'EX', PUBLISH_CLAIM_TTL_S);
    } catch {
      // The constraint in Postgres still answers the next retry.
    }
  }

  /** Lets a retry start over at once after this call failed before committing. Best effort. */
  async release(authorId: string, requestId: string): Promise<void> {
    try {
      const key = redisKeys.publishClaim(authorId, requestId);
      // Delete only our pending marker, never a completed claim.
      await this.redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", 1, key, PENDING);
    } catch {
      // Expires with its TTL.
    }
  }
}
