import { defineConfig } from 'vitest/config';
import { integrationTests } from '../../vitest.shared.mts';

// Each fault scenario runs in a beforeAll (its its only read the recorded calls), bounded here.
export default defineConfig({ test: { ...integrationTests(), testTimeout: 30_000, hookTimeout: 120_000 } });
