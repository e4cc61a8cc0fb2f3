import calculateSlot from 'cluster-key-slot';
import { Cluster, type ChainableCommander } from 'ioredis';
import type { RedisClient } from './redis.js';

/**
 * A pipeline of per-key commands that works on a single Redis and on a Cluster alike. ioredis
 * refuses a Cluster pipeline whose keys span slots, so on a Cluster the commands are grouped by
 * slot into one pipeline each (sent concurrently); on a single Redis they go as one pipeline.
 * `exec` throws the first command error: a job that silently lost writes must not be marked done.
 */
export class KeyedPipeline {
  private readonly groups = new Map<number, Array<(pipeline: ChainableCommander) => void>>();

  constructor(private readonly redis: RedisClient) {}

  /** Queues commands that touch `key` only (e.g. a ZADD and its trim). */
  add(key: string, commands: (pipeline: ChainableCommander) => void): this {
    const slot = this.redis instanceof Cluster ? calculateSlot(key) : 0;
    let group = this.groups.get(slot);
    if (!group) this.groups.set(slot, (group = []));
    group.push(commands);
    return this;
  }

  get size(): number {
    let n = 0;
    for (const group of this.groups.values()) n += group.length;
    return n;
  }

  /** Runs every queued command; the replies, grouped by slot (in queue order within a slot). */
  async exec(): Promise<unknown[]> {
    const replies = await Promise.all(
      [...this.groups.values()].map(async (group) => {
        const pipeline = this.redis.pipeline();
        for (const commands of group) commands(pipeline);
        const results = await pipeline.exec();
        if (!results) throw new Error('Redis pipeline was discarded');
        for (const [error] of results) if (error) throw error;
        return results.map(([, reply]) => reply);
      }),
    );
    this.groups.clear();
    return replies.flat();
  }
}
