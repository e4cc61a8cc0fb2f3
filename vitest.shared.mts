import { randomBytes } from 'node:crypto';

/**
 * Environment for test runs that touch Redis: a key prefix of their own, so two runs on one
 * machine (a developer's and CI's, or two branches) never see or delete each other's keys.
 * Spawned apps inherit it through process.env.
 */
export function isolatedRedisEnv(): Record<string, string> {
  return { REDIS_KEY_PREFIX: `fmt-${randomBytes(4).toString('hex')}:` };
}

/**
 * The test settings of a project whose integration tests fork real apps: one file at a time
 * (ports, CPU and the shared Postgres stay free of interference), timeouts for a slow CI box,
 * a Redis key prefix of the run's own, plus any extra environment for the tests and the apps.
 */
export function integrationTests(env: Record<string, string> = {}) {
  return {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    env: { ...isolatedRedisEnv(), ...env },
  };
}
