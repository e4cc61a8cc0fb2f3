import { describe, expect, it } from 'vitest';
import { redisTarget } from './storage-env.js';

describe('redisTarget', () => {
  it('is a single Redis when no cluster nodes are set', () => {
    expect(redisTarget({ REDIS_URL: 'redis://r:6379/2', REDIS_CLUSTER_NODES: '' })).toEqual({ url: 'redis://r:6379/2' });
  });

  it('parses cluster seed nodes', () => {
    expect(redisTarget({ REDIS_URL: 'redis://r:6379', REDIS_CLUSTER_NODES: 'a:7000, b:7001' }).clusterNodes).toEqual([
      { host: 'a', port: 7000 },
      { host: 'b', port: 7001 },
    ]);
  });

  it('names a malformed node', () => {
    expect(() => redisTarget({ REDIS_URL: '', REDIS_CLUSTER_NODES: 'a:7000,b' })).toThrow('"b" is not host:port');
  });
});
