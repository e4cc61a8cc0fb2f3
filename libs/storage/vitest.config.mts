import { defineConfig } from 'vitest/config';
import { isolatedRedisEnv } from '../../vitest.shared.mts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Keys under a prefix of the run's own: the tests' writes (the deletions stream among them)
    // never land in the `fm:` keys `npm start`'s demo data set owns.
    env: isolatedRedisEnv(),
  },
});
