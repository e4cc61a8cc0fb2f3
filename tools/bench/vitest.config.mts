import { defineConfig } from 'vitest/config';

// Unit tests of the benchmarks' pure parts (parsing, arithmetic); the benchmarks themselves run by hand.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], isolate: false } });
