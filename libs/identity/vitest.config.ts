import { defineConfig } from 'vitest/config';

// Small deterministic unit tests: one worker can run every file.
export default defineConfig({ test: { isolate: false } });
