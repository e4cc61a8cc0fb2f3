import { defineConfig } from 'vitest/config';
import { integrationTests } from '../../vitest.shared.mts';

export default defineConfig({ test: { ...integrationTests(), include: ['test/**/*.test.ts'] } });
