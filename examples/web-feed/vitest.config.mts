import { defineConfig } from 'vitest/config';
import { integrationTests } from '../../vitest.shared.mts';

// Unit tests beside the code (src/**/*.test.ts) and the browser test against the real mesh
// (test/web-feed.test.ts), which forks the apps and the BFF from their dist and drives Chromium.
export default defineConfig({ test: integrationTests() });
