/**
 * What Postgres and Redis did during a measured window: their CPU (server-cpu.ts), the benchmark
 * database's transactions (pg-query-counter.ts) and Redis' commands (redis-command-stats.ts).
 * Everything is read from outside the apps, so they run unchanged.
 */
import { createRedis, databaseNameOf, waitForRedis } from '@feedmesh/storage';
import { openPgXactCounter, xactDelta, type PgXactReading } from './pg-query-counter.js';
import { commandStatsDelta, redisCommandCounter, type RedisCommandStat, type RedisCommandsDelta } from './redis-command-stats.js';
import { databaseBackendsDeltaUs, findPostmaster, findRedisServer, listProcesses, sampleServerCpu, serverCpuDeltaUs, type ServerCpuSample } from './server-cpu.js';

export interface ServerWindowStart {
  postgresCpu?: ServerCpuSample;
  redisCpu?: ServerCpuSample;
  redisStats?: Map<string, RedisCommandStat>;
  pgXacts?: PgXactReading;
}

/** The CPU and Redis part of a window, read as soon as the load stops. */
export interface ServerWindowEnd {
  postgresCpuUs?: number;
  postgresDatabaseBackendsCpuUs?: number;
  redisCpuUs?: number;
  redis?: RedisCommandsDelta;
}

export interface ServerProbes {
  postmasterPid: number | null;
  redisServerPid: number | null;
  database: string;
  /** Own transactions the pg counter subtracts per window (0 when it reads from another database). */
  pgOwnXactsPerWindow: number;
  start(): Promise<ServerWindowStart>;
  /** CPU and Redis deltas since `start`; call right after the load. */
  endNow(start: ServerWindowStart): Promise<ServerWindowEnd>;
  /** Transactions since `start`; call once Postgres has published them (after the settle). */
  pgXactsSince(start: ServerWindowStart): Promise<number | undefined>;
  close(): Promise<void>;
}

const portOf = (url: string, fallback: number) => Number(new URL(url).port || fallback);

export async function openServerProbes(databaseUrl: string, redisUrl: string): Promise<ServerProbes> {
  const processes = listProcesses();
  const postmaster = findPostmaster(processes, portOf(databaseUrl, 5432));
  const redisServer = findRedisServer(processes, portOf(redisUrl, 6379));
  if (postmaster === undefined) console.error('postgres server process not found in /proc: its CPU is not measured');
  if (redisServer === undefined) console.error('redis-server process not found in /proc: its CPU is not measured');
  const database = databaseNameOf(databaseUrl);
  const pg = await openPgXactCounter(databaseUrl);
  const redis = createRedis({ url: redisUrl });
  await waitForRedis(redis);
  const commands = redisCommandCounter(redis);
  const tryRead = async <T>(what: string, read: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await read();
    } catch (error) {
      console.error(`${what} not read: ${(error as Error).message}`);
      return undefined;
    }
  };
  const cpu = (pid: number | undefined) => (pid === undefined ? undefined : sampleServerCpu(pid));
  return {
    postmasterPid: postmaster?.stat.pid ?? null,
    redisServerPid: redisServer?.stat.pid ?? null,
    database,
    pgOwnXactsPerWindow: pg.ownXactsPerWindow,
    async start() {
      const pgXacts = await tryRead('pg_stat_database', () => pg.read());
      const redisStats = await tryRead('INFO commandstats', () => commands.read());
      // The CPU last, nearest to the load.
      return { pgXacts, redisStats, postgresCpu: cpu(postmaster?.stat.pid), redisCpu: cpu(redisServer?.stat.pid) };
    },
    async endNow(start) {
      const postgresCpu = cpu(postmaster?.stat.pid);
      const redisCpu = cpu(redisServer?.stat.pid);
      const redisStats = await tryRead('INFO commandstats', () => commands.read());
      return {
        postgresCpuUs: serverCpuDeltaUs(start.postgresCpu, postgresCpu),
        postgresDatabaseBackendsCpuUs: databaseBackendsDeltaUs(start.postgresCpu, postgresCpu, database),
        redisCpuUs: serverCpuDeltaUs(start.redisCpu, redisCpu),
        redis: start.redisStats && redisStats && commandStatsDelta(start.redisStats, redisStats, commands.ownCallsPerWindow),
      };
    },
    async pgXactsSince(start) {
      return xactDelta(start.pgXacts, await tryRead('pg_stat_database', () => pg.read()), pg.ownXactsPerWindow);
    },
    async close() {
      redis.disconnect();
      await pg.close();
    },
  };
}
