import { defineConfig } from 'vitest/config';
import { integrationTests } from '../../vitest.shared.mts';

// Its tests fork a real app: a Redis key prefix of the run's own, so a developer's `npm start`
// data set (bound to its database under `fm:`) neither refuses the app nor is touched by it.
export default defineConfig({ test: { ...integrationTests(), include: ['src/**/*.test.ts', 'test/**/*.test.ts'] } });
