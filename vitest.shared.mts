import { randomBytes } from 'node:crypto';

/**
 * Environment for test runs that touch Redis: a key prefix of their own, so two runs on one
 * machine (a developer's and CI's, or two branches) never see or delete each other's keys.
 * Spawned apps inherit it through process.env.
 */
export function isolatedRedisEnv(): Record<string, string> {
  return { REDIS_KEY_PREFIX: `fmt-${randomBytes(4).toString('hex')}:` };
}
