import { randomBytes } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { Cluster, type ChainableCommander } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyedPipeline } from './keyed-pipeline.js';
import { redisKeys } from './keys.js';
import { createRedis, waitForRedis } from './redis.js';

// A real Redis; keys under a namespace of this file's own, with hash tags as feedmesh's keys.
const redis = createRedis({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', lazyConnect: true });
const namespace = `fmt-kp-${randomBytes(4).toString('hex')}:`;
const home = (user: string) => `${namespace}{u:${user}}:home`;

/**
 * A Cluster client as KeyedPipeline sees one (instanceof Cluster), whose pipelines run on the
 * single test Redis: records the keys each pipeline got, so the per-slot grouping shows.
 */
function clusterOverTestRedis(): { cluster: Cluster; pipelines: string[][] } {
  const pipelines: string[][] = [];
  const cluster = Object.create(Cluster.prototype) as Cluster;
  cluster.pipeline = () => {
    const pipeline = redis.pipeline();
    const keys: string[] = [];
    pipelines.push(keys);
    const zadd = pipeline.zadd.bind(pipeline) as (key: string, ...args: Array<string | number>) => ChainableCommander;
    (pipeline as { zadd: unknown }).zadd = (key: string, ...args: Array<string | number>) => {
      keys.push(key);
      return zadd(key, ...args);
    };
    return pipeline;
  };
  return { cluster, pipelines };
}

beforeAll(() => waitForRedis(redis));
afterAll(async () => {
  const keys = await redis.keys(`${namespace}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('KeyedPipeline', () => {
  it('runs every queued command on a single Redis, in order per key, and empties itself', async () => {
    const batch = new KeyedPipeline(redis);
    for (const user of ['a', 'b', 'c']) {
      batch.add(home(user), (p) => p.zadd(home(user), 1, 'old', 2, 'mid', 3, 'new').zremrangebyrank(home(user), 0, -3));
    }
    expect(batch.size).toBe(3);
    await batch.exec();
    // The trim ran after its ZADD: the two newest members are left in each zset.
    for (const user of ['a', 'b', 'c']) expect(await redis.zrange(home(user), '0', '-1')).toEqual(['mid', 'new']);
    expect(batch.size).toBe(0);
    await redis.del(home('a'));
    await batch.exec(); // nothing queued: nothing sent again
    expect(await redis.exists(home('a'))).toBe(0);
  });

  it('throws the error of a failed command, so a job that lost writes is not marked done', async () => {
    await redis.set(home('s'), 'not a zset');
    const batch = new KeyedPipeline(redis)
      .add(home('ok'), (p) => p.zadd(home('ok'), 1, 'x'))
      .add(home('s'), (p) => p.zadd(home('s'), 1, 'x'));
    await expect(batch.exec()).rejects.toThrow(/WRONGTYPE/);
    // A pipeline is not a transaction: the other key's write went through.
    expect(await redis.zcard(home('ok'))).toBe(1);
  });

  it('on a Cluster, sends one pipeline per slot, each holding only keys of that slot', async () => {
    const { cluster, pipelines } = clusterOverTestRedis();
    const session = (suffix: string) => `${namespace}{s:s1}:${suffix}`;
    const keys = [home('x'), home('y'), home('z'), session('served'), session('state')];
    const batch = new KeyedPipeline(cluster);
    for (const key of keys) batch.add(key, (p) => p.zadd(key, 1, 'm'));
    expect(batch.size).toBe(5);
    await batch.exec();
    const slots = new Set(keys.map((key) => calculateSlot(key)));
    expect(pipelines).toHaveLength(slots.size);
    for (const group of pipelines) expect(new Set(group.map((key) => calculateSlot(key))).size).toBe(1);
    expect(pipelines.flat().sort()).toEqual([...keys].sort());
    // The two keys of one session tag went together.
    expect(pipelines.find((group) => group.includes(session('served')))).toContain(session('state'));
    for (const key of keys) expect(await redis.zscore(key, 'm')).toBe('1');
  });
});

// The grouping relies on hash tags: keys of one tag share a slot, keys of different users don't.
describe('slots of feedmesh keys', () => {
  it('puts keys with one hash tag in one slot', () => {
    expect(calculateSlot(redisKeys.sessionServed('s1'))).toBe(calculateSlot(redisKeys.sessionState('s1')));
    expect(calculateSlot(redisKeys.trending(1))).toBe(calculateSlot(redisKeys.trending(3)));
  });

  it('spreads different users over slots', () => {
    const slots = new Set(Array.from({ length: 50 }, (_, i) => calculateSlot(redisKeys.homeTimeline(`u${i}`))));
    expect(slots.size).toBeGreaterThan(40);
  });
});
