import { defineConfig } from 'vitest/config';
import { integrationTests } from '../../vitest.shared.mts';

export default defineConfig({
  test: integrationTests({
    // Small enough that the tiny seeded graph has authors on the pull side of the fan-out
    // (read by the seed in this process and by the spawned app).
    FANOUT_PULL_THRESHOLD: '40',
  }),
});
