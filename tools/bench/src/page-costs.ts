// What a GetFeed page costs in a measured window: CPU of the apps and of the servers, and the
// database work, each divided by the pages (calls) of the window.

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `amount / pages` rounded; null when the amount is unknown, 0 for a window without pages. */
export function perPage(amount: number | null | undefined, pages: number, digits = 0): number | null {
  if (amount === null || amount === undefined || !Number.isFinite(amount)) return null;
  return pages <= 0 ? 0 : round(amount / pages, digits);
}

export interface WindowWork {
  /** Calls answered or failed in the window (load generator + side sampler). */
  pages: number;
  /** The apps' CPU per page, already summed over the running apps, µs. */
  appCpuUsPerPage: number;
  /** CPU of the whole Postgres server tree / of the benchmark database's backends / of redis-server, µs; undefined if not measured. */
  postgresCpuUs?: number;
  postgresDatabaseBackendsCpuUs?: number;
  redisCpuUs?: number;
  /** Transactions counted in pg_stat_database for the benchmark database. */
  pgXacts?: number;
  /** Transactions per second of the mesh without load (ingest's job poller), when measured. */
  pgIdleXactsPerS?: number | null;
  /** The window, and the idle time after it that the count also spans (the settle), seconds. */
  windowS?: number;
  pgSettleS?: number;
  redisCommands?: number;
  /** Time Redis spent inside those commands, µs. */
  redisCommandUs?: number;
}

export interface PageCosts {
  postgresCpuUsPerRequest: number | null;
  postgresDatabaseBackendsCpuUsPerRequest: number | null;
  redisCpuUsPerRequest: number | null;
  /** Apps + Postgres + Redis (the parts measured); excludes the load generator. */
  totalCpuUsPerRequest: number;
  pgXactsPerRequest: number | null;
  /** pgXactsPerRequest less what the idle mesh would have made over the window: the transactions that serving pages added. */
  pgXactsPerRequestBeyondIdle: number | null;
  redisCommandsPerRequest: number | null;
  redisCommandUsPerRequest: number | null;
}

export function pageCosts(work: WindowWork): PageCosts {
  const postgres = perPage(work.postgresCpuUs, work.pages);
  const redis = perPage(work.redisCpuUs, work.pages);
  const idleRate = work.pgIdleXactsPerS ?? 0;
  // The count spans the settle after the window, when only the idle mesh ran: not the window's.
  const pgXacts = work.pgXacts === undefined ? undefined : Math.max(0, work.pgXacts - idleRate * (work.pgSettleS ?? 0));
  const beyondIdle = pgXacts === undefined ? undefined : Math.max(0, pgXacts - idleRate * (work.windowS ?? 0));
  return {
    postgresCpuUsPerRequest: postgres,
    postgresDatabaseBackendsCpuUsPerRequest: perPage(work.postgresDatabaseBackendsCpuUs, work.pages),
    redisCpuUsPerRequest: redis,
    // The sum of the rounded columns, so that the table adds up.
    totalCpuUsPerRequest: work.appCpuUsPerPage + (postgres ?? 0) + (redis ?? 0),
    pgXactsPerRequest: perPage(pgXacts, work.pages, 2),
    pgXactsPerRequestBeyondIdle: perPage(beyondIdle, work.pages, 2),
    redisCommandsPerRequest: perPage(work.redisCommands, work.pages, 2),
    redisCommandUsPerRequest: perPage(work.redisCommandUs, work.pages),
  };
}

/** The commands with the most calls per page, e.g. `{ evalsha: 1, zrevrange: 3.02 }`. */
export function topCommandsPerPage(byCommand: Readonly<Record<string, number>>, pages: number, limit = 8): Record<string, number> {
  return Object.fromEntries(
    Object.entries(byCommand)
      .sort(([, a], [, b]) => b - a)
      .slice(0, limit)
      .map(([name, calls]) => [name, perPage(calls, pages, 2) ?? 0]),
  );
}
