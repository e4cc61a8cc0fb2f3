import { describe, expect, it } from 'vitest';
import { parseSeedArgs } from './cli-args.js';

describe('parseSeedArgs', () => {
  it('applies the documented defaults', () => {
    const options = parseSeedArgs([], {});
    expect(options).toMatchObject({
      users: 2000,
      items: 20000,
      seed: 42,
      days: 3,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/feedmesh',
      redisUrl: 'redis://127.0.0.1:6379',
      ifEmpty: false,
      reset: false,
    });
  });

  it('reads flags and environment', () => {
    const options = parseSeedArgs(['--users', '10', '--items=50', '--seed=-3', '--if-empty', '--reset'], {
      DATABASE_URL: 'postgres://x/db',
      REDIS_URL: 'redis://y:1',
    });
    expect(options).toMatchObject({ users: 10, items: 50, seed: -3, ifEmpty: true, reset: true, databaseUrl: 'postgres://x/db', redisUrl: 'redis://y:1' });
  });

  it('rejects malformed numbers and unknown flags', () => {
    expect(() => parseSeedArgs(['--users', '1e3'], {})).toThrow(/--users/);
    expect(() => parseSeedArgs(['--bogus'], {})).toThrow();
  });
});
