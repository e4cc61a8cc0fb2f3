import { defineConfig } from 'vitest/config';
import { isolatedRedisEnv } from '../../vitest.shared.mts';

export default defineConfig({
  test: { env: isolatedRedisEnv(), testTimeout: 30_000, hookTimeout: 60_000, fileParallelism: false },
});
