import { defineConfig } from 'vitest/config';

// Pure functions without shared state: one worker can run every file.
export default defineConfig({ test: { isolate: false } });
