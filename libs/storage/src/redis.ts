import { Cluster, Redis, type ClusterNode } from 'ioredis';

export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /** redis://host:port/db; used when clusterNodes is empty. Defaults to redis://127.0.0.1:6379. */
  url?: string;
  /** Seed nodes of a Redis Cluster; when given, a Cluster client is returned. */
  clusterNodes?: ClusterNode[];
  /** Do not connect until connect() is called (or waitForRedis). */
  lazyConnect?: boolean;
  /** Per-command deadline. Raise it only for bulk tools that send large pipelines. */
  commandTimeoutMs?: number;
  connectTimeoutMs?: number;
}

export const REDIS_DEFAULTS = {
  url: 'redis://127.0.0.1:6379',
  connectTimeoutMs: 1_000,
  commandTimeoutMs: 1_000,
  maxRetriesPerRequest: 1,
  maxReconnectDelayMs: 500,
} as const;

/**
 * Reconnect quickly at first, then every maxReconnectDelayMs at most; never give up. The cap is
 * what a long outage adds to recovery once Redis is back (a 2 s cap cost ~1 s after a 4 s
 * outage), and the apps promise whole pages within 2 s; an attempt against a dead port is a
 * refused connect, so twice a second costs nothing.
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt, 16), REDIS_DEFAULTS.maxReconnectDelayMs);
}

/**
 * Creates an ioredis client tuned to fail fast.
 *
 * Why: ioredis' defaults queue commands while disconnected and retry each one up to 20 times, so
 * when Redis is down every request (and every write) hangs for seconds and memory grows with the
 * queue. The feed degrades instead: with the offline queue disabled, a command sent while the
 * client is not connected rejects at once; one retry per request, a connect timeout and a
 * command timeout bound the rest. The client keeps reconnecting in the background (capped
 * backoff) and commands succeed again as soon as Redis is back.
 *
 * Consequence: a command issued before the first connection is ready rejects too, so await
 * waitForRedis(client) at startup.
 */
export function createRedis(options: RedisClientOptions = {}): RedisClient {
  const commandTimeout = options.commandTimeoutMs ?? REDIS_DEFAULTS.commandTimeoutMs;
  const connectTimeout = options.connectTimeoutMs ?? REDIS_DEFAULTS.connectTimeoutMs;
  const shared = {
    lazyConnect: options.lazyConnect ?? false,
    enableOfflineQueue: false,
  };
  if (options.clusterNodes && options.clusterNodes.length > 0) {
    return new Cluster(options.clusterNodes, {
      ...shared,
      clusterRetryStrategy: reconnectDelayMs,
      // While a master is down (until its replica is promoted, ~2 s at a 1 s node timeout),
      // ioredis' defaults resend a command on its slots every 100 ms until commandTimeout, so
      // every command there stalls 1 s and a GetFeed with a few in series runs out of its
      // deadline. Failing at once degrades the page, as with a single Redis down; the next
      // command after the promotion is redirected (MOVED) and refreshes the slot map.
      retryDelayOnFailover: 0,
      retryDelayOnClusterDown: 0,
      redisOptions: {
        connectTimeout,
        commandTimeout,
        maxRetriesPerRequest: REDIS_DEFAULTS.maxRetriesPerRequest,
      },
    });
  }
  return new Redis(options.url ?? REDIS_DEFAULTS.url, {
    ...shared,
    connectTimeout,
    commandTimeout,
    maxRetriesPerRequest: REDIS_DEFAULTS.maxRetriesPerRequest,
    retryStrategy: reconnectDelayMs,
  });
}

/**
 * Resolves once the client is ready (connecting it if it was created lazily); rejects after
 * timeoutMs or on the first connection error, without closing the client.
 */
export async function waitForRedis(client: RedisClient, timeoutMs = 5_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    const onReady = () => finish();
    const onError = (error: Error) => finish(error);
    function finish(error?: Error) {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('error', onError);
      if (error) reject(error);
      else resolve();
    }
    client.on('ready', onReady);
    client.on('error', onError);
    if (client.status === 'wait') client.connect().catch(onError);
  });
}
