import { defineConfig } from 'vitest/config';
import { integrationTests } from '../../vitest.shared.mts';

export default defineConfig({ test: { ...integrationTests({ REDIS_URL: 'redis://127.0.0.1:6379/5' }), testTimeout: 60_000, hookTimeout: 90_000 } });
