// Redis client tracking against the real Redis (db 9, this run's key prefix): changes made by
// other connections reach the memory layer, this process's own writes do not, and tracking comes
// back (with the memory layer cleared) after either connection drops.
import { createRedis, deleteFeedmeshKeys, redisKeys, waitForRedis, type RedisClient } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardInvalidations } from '../src/cache/card-invalidations.js';
import { MemoryCardCache } from '../src/cache/memory-card-cache.js';

const REDIS_URL = 'redis://127.0.0.1:6379/9';
const silent = { warn: () => {}, info: () => {}, error: () => {} } as unknown as Logger;

let main: RedisClient;
let other: Redis;
let memory: MemoryCardCache;
let invalidations: CardInvalidations;
const invalidated: Array<number | null> = [];
const trackingChanges: boolean[] = [];

const entry = () => ({ type: 'missing' as const, reason: 1, expiresAtMs: Date.now() + 60_000 });

/** The card of `id` as render holds it: in Redis (written by this process) and in memory. */
async function remember(id: string): Promise<void> {
  // Only changes of existing keys are reported (a DEL of a missing key changes nothing).
  await main.set(redisKeys.renderedCard(id), 'v', 'PX', 60_000);
  expect(memory.set(id, entry(), 10, false, memory.mark())).toBe(true);
}

async function eventually(check: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeAll(async () => {
  main = createRedis({ url: REDIS_URL });
  other = new Redis(REDIS_URL);
  await waitForRedis(main);
  memory = new MemoryCardCache({ maxEntries: 100, maxBytes: 100_000, ttlMs: 60_000, volatileTtlMs: 60_000 });
  invalidations = new CardInvalidations(main, memory, silent, {
    invalidated: (n) => invalidated.push(n),
    tracking: (active) => trackingChanges.push(active),
  });
  expect(invalidations.start()).toBe(true);
  await eventually(() => invalidations.tracking);
});

afterAll(async () => {
  invalidations?.close();
  if (other) await deleteFeedmeshKeys(other);
  other?.disconnect();
  main?.disconnect();
});

describe('CardInvalidations', () => {
  it('drops a card when another connection deletes or overwrites its key', async () => {
    for (const id of ['a', 'b', 'c']) await remember(id);
    await other.set(redisKeys.renderedCard('a'), 'x');
    await other.del(redisKeys.renderedCard('b'));
    await eventually(() => memory.get('a') === undefined && memory.get('b') === undefined);
    expect(memory.get('c')).toBeDefined();
  });

  it('ignores other keys and this process own card writes (NOLOOP)', async () => {
    await remember('mine');
    await remember('unrelated');
    await remember('marker');
    await main.set(redisKeys.renderedCard('mine'), 'x', 'PX', 60_000);
    await main.del(redisKeys.renderedCard('mine'));
    await other.set(redisKeys.sessionState('unrelated'), 'x');
    // A marker after both, on the other connection: once it is reported, so would they have been.
    await other.del(redisKeys.renderedCard('marker'));
    await eventually(() => memory.get('marker') === undefined);
    expect(memory.get('mine')).toBeDefined();
    expect(memory.get('unrelated')).toBeDefined();
  });

  it('re-establishes tracking after the subscriber connection is killed, starting from an empty cache', async () => {
    const clients = String(await other.client('LIST')).split('\n');
    const subscriber = clients.find((line) => line.includes(` name=feedmesh-render-invalidations-${process.pid} `));
    const id = /\bid=(\d+)/.exec(subscriber ?? '')?.[1];
    expect(id).toBeDefined();
    await remember('before-kill');
    const changes = trackingChanges.length;
    await other.client('KILL', 'ID', id!);
    await eventually(() => trackingChanges.length >= changes + 2 && invalidations.tracking, 10_000);
    expect(trackingChanges.slice(changes)).toEqual([false, true]);
    // Whatever changed while nothing was listening is unknown: the memory layer started over.
    expect(memory.get('before-kill')).toBeUndefined();
    await remember('after');
    await other.del(redisKeys.renderedCard('after'));
    await eventually(() => memory.get('after') === undefined);
  });

  it('re-enables tracking when the cache connection itself reconnects', async () => {
    const changes = trackingChanges.length;
    (main as Redis).disconnect(true);
    await eventually(() => trackingChanges.length >= changes + 2 && invalidations.tracking, 10_000);
    await remember('after-reconnect');
    await other.set(redisKeys.renderedCard('after-reconnect'), 'x');
    await eventually(() => memory.get('after-reconnect') === undefined);
    expect(invalidated.length).toBeGreaterThan(0);
  });
});
