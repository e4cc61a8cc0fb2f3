import { afterEach, describe, expect, it, vi } from 'vitest';

describe('feed limits', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('uses the documented defaults', async () => {
    for (const name of ['TIMELINE_MAX_LENGTH', 'AUTHOR_RECENT_MAX', 'FANOUT_PULL_THRESHOLD']) vi.stubEnv(name, '');
    const limits = await import('./feed-limits.js');
    expect(limits.TIMELINE_MAX_LENGTH).toBe(800);
    expect(limits.AUTHOR_RECENT_MAX).toBe(200);
    expect(limits.FANOUT_PULL_THRESHOLD).toBe(10_000);
  });

  it('reads overrides from the environment', async () => {
    vi.stubEnv('FANOUT_PULL_THRESHOLD', '500');
    const limits = await import('./feed-limits.js');
    expect(limits.FANOUT_PULL_THRESHOLD).toBe(500);
  });

  it('refuses values that are not positive integers', async () => {
    vi.stubEnv('AUTHOR_RECENT_MAX', '12.5');
    await expect(import('./feed-limits.js')).rejects.toThrow(/AUTHOR_RECENT_MAX/);
  });
});

describe('the key prefix', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('refuses a prefix that does not end in ":"', async () => {
    vi.stubEnv('REDIS_KEY_PREFIX', 'fm');
    await expect(import('./keys.js')).rejects.toThrow(/REDIS_KEY_PREFIX/);
  });
});
