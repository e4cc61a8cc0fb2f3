import { randomBytes } from 'node:crypto';
import { createRedis, waitForRedis } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RespBulkWriter } from '../src/resp-bulk-writer.js';

const redisUrl = process.env.SEED_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/5';
const redis = createRedis({ url: redisUrl, lazyConnect: true });
// Outside the feedmesh prefix: seed.test.ts, running beside this file, sweeps and checks that one.
const namespace = `fmt-bulk-${randomBytes(4).toString('hex')}:`;
const key = (name: string) => `${namespace}${name}`;

beforeAll(() => waitForRedis(redis));
afterAll(async () => {
  await redis.del(key('h'), key('s'), key('big'));
  redis.disconnect();
});

describe('RespBulkWriter', () => {
  it('writes into the URL’s database, across buffer boundaries, and counts every reply', async () => {
    const writer = await RespBulkWriter.connect(redisUrl);
    writer.command(['DEL', key('h'), key('big')]);
    writer.begin(4);
    writer.arg('HSET');
    writer.arg(key('h'));
    writer.encoded(RespBulkWriter.encode('f'));
    writer.arg('v1');
    // ~3 MB of fields: several 1 MB buffers, flushed between commands.
    for (let i = 0; i < 30_000; i++) {
      writer.command(['HSET', key('big'), `field-${i}`, 'x'.repeat(100)]);
      await writer.maybeFlush();
    }
    expect(await writer.finish()).toBe(2 + 30_000 + (new URL(redisUrl).pathname.length > 1 ? 1 : 0));
    expect(await redis.hgetall(key('h'))).toEqual({ f: 'v1' });
    expect(await redis.hlen(key('big'))).toBe(30_000);
  });

  it('reports the first error reply after sending the rest', async () => {
    await redis.set(key('s'), 'a string');
    const writer = await RespBulkWriter.connect(redisUrl);
    writer.command(['HSET', key('s'), 'f', '1']);
    writer.command(['HSET', key('h'), 'after', '2']);
    await expect(writer.finish()).rejects.toThrow(/WRONGTYPE/);
    expect(await redis.hget(key('h'), 'after')).toBe('2');
  });

  it('refuses an argument that is not ASCII', async () => {
    expect(() => RespBulkWriter.encode('café')).toThrow(/ASCII/);
    const writer = await RespBulkWriter.connect(redisUrl);
    expect(() => writer.command(['HSET', key('h'), 'f', 'naïve'])).toThrow(/ASCII/);
    writer.abort();
  });
});
