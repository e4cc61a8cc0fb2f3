/**
 * Redis commands in a window, from `INFO commandstats` read before and after it. The counts are
 * server-wide (every client, every db and key prefix), so on a shared Redis they are an upper
 * bound on the benchmark's own. Commands that scripts (EVAL/EVALSHA) run with redis.call count
 * under their own names as well as the script call itself, as Redis counts them.
 */
import type { RedisClient } from '@feedmesh/storage';

export interface RedisCommandStat {
  calls: number;
  /** Time Redis spent inside the command, µs (not the I/O around it). */
  usec: number;
  rejectedCalls: number;
  failedCalls: number;
}

/** `# Commandstats` section → stats by command name (`get`, `client|setname`, …). */
export function parseCommandStats(info: string): Map<string, RedisCommandStat> {
  const stats = new Map<string, RedisCommandStat>();
  for (const line of info.split(/\r?\n/)) {
    const match = /^cmdstat_([^:]+):(.*)$/.exec(line.trim());
    if (match === null) continue;
    const fields = new Map(match[2]!.split(',').map((pair) => pair.split('=') as [string, string]));
    const number = (name: string) => {
      const value = Number(fields.get(name) ?? 0);
      return Number.isFinite(value) ? value : 0;
    };
    if (!fields.has('calls')) continue;
    stats.set(match[1]!, { calls: number('calls'), usec: number('usec'), rejectedCalls: number('rejected_calls'), failedCalls: number('failed_calls') });
  }
  return stats;
}

export interface RedisCommandsDelta {
  calls: number;
  usec: number;
  byCommand: Record<string, number>;
}

/**
 * What ran between two readings, less `own` calls (by command) that the reader made itself;
 * undefined when a count went down (the stats were reset, or Redis restarted, in between).
 */
export function commandStatsDelta(
  before: ReadonlyMap<string, RedisCommandStat>,
  after: ReadonlyMap<string, RedisCommandStat>,
  own: Readonly<Record<string, number>> = {},
): RedisCommandsDelta | undefined {
  const byCommand: Record<string, number> = {};
  let calls = 0;
  let usec = 0;
  for (const [name, stat] of after) {
    const previous = before.get(name) ?? { calls: 0, usec: 0 };
    if (stat.calls < previous.calls || stat.usec < previous.usec) return undefined;
    const n = Math.max(0, stat.calls - previous.calls - (own[name] ?? 0));
    usec += stat.usec - previous.usec;
    if (n === 0) continue;
    byCommand[name] = n;
    calls += n;
  }
  for (const name of before.keys()) if (!after.has(name)) return undefined;
  return { calls, usec, byCommand };
}

/** A reader of `INFO commandstats` on its own connection. */
export function redisCommandCounter(redis: RedisClient) {
  return {
    async read(): Promise<Map<string, RedisCommandStat>> {
      return parseCommandStats(await redis.info('commandstats'));
    },
    /**
     * Calls of its own between a reading and the next: the first INFO itself (Redis counts a
     * command after running it, so a reading does not include itself).
     */
    ownCallsPerWindow: { info: 1 } as Record<string, number>,
  };
}
