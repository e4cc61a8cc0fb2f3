import type { Redis } from 'ioredis';
import type { ZsetWrite } from './redis-zsets.js';

const ENTRIES_PER_PIPELINE = 50_000;

async function execChecked(pipeline: ReturnType<Redis['pipeline']>): Promise<void> {
  const results = await pipeline.exec();
  for (const [error] of results ?? []) if (error) throw error;
}

/**
 * Writes zsets with pipelines of ~50k entries, keeping one pipeline in flight while the next is
 * built so Redis and the generator work at the same time. Returns the entries written.
 */
export async function writeZsets(redis: Redis, zsets: Iterable<ZsetWrite>): Promise<{ keys: number; entries: number }> {
  let keys = 0;
  let entries = 0;
  let pipeline = redis.pipeline();
  let pending = 0;
  let inFlight: Promise<void> = Promise.resolve();
  for (const zset of zsets) {
    pipeline.del(zset.key);
    pipeline.zadd(zset.key, ...zset.args);
    pending += zset.entries;
    keys++;
    entries += zset.entries;
    if (pending >= ENTRIES_PER_PIPELINE) {
      await inFlight;
      inFlight = execChecked(pipeline);
      pipeline = redis.pipeline();
      pending = 0;
    }
  }
  await inFlight;
  if (pipeline.length > 0) await execChecked(pipeline);
  return { keys, entries };
}
