import { defineConfig } from 'vitest/config';
import { isolatedRedisEnv } from '../../vitest.shared.mts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    env: {
      ...isolatedRedisEnv(),
      // Small enough that the tiny seeded graph has authors on the pull side of the fan-out
      // (read by the seed in this process and by the spawned app).
      FANOUT_PULL_THRESHOLD: '40',
    },
  },
});
