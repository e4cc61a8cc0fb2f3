import { defineConfig } from 'vitest/config';

// Integration tests fork real apps and talk to them over loopback; one file at a time keeps
// ports, Redis db 12 and CPU free of interference, and the timeouts cover slow CI machines.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
