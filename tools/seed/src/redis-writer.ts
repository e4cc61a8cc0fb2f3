import type { ChainableCommander, Redis } from 'ioredis';
import type { ZsetWrite } from './redis-zsets.js';

const ENTRIES_PER_PIPELINE = 50_000;

async function execChecked(pipeline: ChainableCommander): Promise<void> {
  const results = await pipeline.exec();
  if (!results) throw new Error('Redis pipeline was discarded');
  for (const [error] of results) if (error) throw error;
}

/**
 * Bulk writes in pipelines of ~`entriesPerPipeline` entries (a zset member, a hash field),
 * keeping one pipeline in flight while the next is built, so Redis and the generator work at
 * the same time. Use: `queue(...)`, and `await send()` whenever `full`; `flush()` at the end.
 */
export class PipelinedWriter {
  private pipeline: ChainableCommander;
  private pending = 0;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly entriesPerPipeline = ENTRIES_PER_PIPELINE,
  ) {
    this.pipeline = redis.pipeline();
  }

  /** Queues commands worth `entries` entries. */
  queue(entries: number, commands: (pipeline: ChainableCommander) => void): void {
    commands(this.pipeline);
    this.pending += entries;
  }

  get full(): boolean {
    return this.pending >= this.entriesPerPipeline;
  }

  /** Waits for the pipeline in flight, then sends the queued one without waiting for it. */
  async send(): Promise<void> {
    await this.inFlight;
    if (this.pipeline.length === 0) return;
    this.inFlight = execChecked(this.pipeline);
    // Awaited by the next send or flush; this only keeps an early failure from being "unhandled".
    this.inFlight.catch(() => {});
    this.pipeline = this.redis.pipeline();
    this.pending = 0;
  }

  /** Sends what is queued and waits for everything sent. */
  async flush(): Promise<void> {
    await this.send();
    await this.inFlight;
  }
}

/** Replaces each zset (DEL + ZADD). Returns the keys and entries written. */
export async function writeZsets(redis: Redis, zsets: Iterable<ZsetWrite>): Promise<{ keys: number; entries: number }> {
  let keys = 0;
  let entries = 0;
  const writer = new PipelinedWriter(redis);
  for (const zset of zsets) {
    writer.queue(zset.entries, (p) => p.del(zset.key).zadd(zset.key, ...zset.args));
    keys++;
    entries += zset.entries;
    if (writer.full) await writer.send();
  }
  await writer.flush();
  return { keys, entries };
}
