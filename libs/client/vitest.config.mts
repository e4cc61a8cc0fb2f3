import { defineConfig } from 'vitest/config';
import { integrationTests } from '../../vitest.shared.mts';

// Unit tests beside the code (src/**/*.test.ts) and the integration test against the real mesh
// (test/client.test.ts), which forks the apps from their dist.
export default defineConfig({ test: integrationTests() });
