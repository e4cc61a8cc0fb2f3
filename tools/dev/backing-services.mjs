// Postgres and Redis for `npm start`: both are decided first (planPostgres, planRedis), so that
// when one is missing the launcher says so in one line per missing service and starts nothing;
// then the ones the launcher owns are started, and stopped again if the other fails to start.
import { join } from 'node:path';
import { planPostgres } from './embedded-postgres.mjs';
import { planRedis } from './local-redis.mjs';

export class MissingServiceError extends Error {}

/**
 * `start()` resolves with the URLs to give the apps; `stop()` stops the servers it started, also
 * while they are still starting (a Ctrl-C then leaves none behind).
 */
export function backingServices({ env, root, stateDir = env.FEEDMESH_STATE_DIR || join(root, '.feedmesh'), log = console.log }) {
  const running = [];
  let pending;
  let stopped = false;
  const stop = async () => {
    stopped = true;
    // A server still starting is stopped once it is up (the loop below pushes it first).
    await pending?.catch(() => undefined);
    await Promise.all(running.splice(0).map((service) => service.stop()));
  };

  const start = async () => {
    const plans = await Promise.all([planPostgres({ env, root, stateDir }), planRedis({ env, stateDir })]);
    const missing = plans.filter((plan) => plan.missing).map((plan) => plan.missing);
    if (missing.length) throw new MissingServiceError(missing.join('\n'));
    const urls = [];
    try {
      for (const plan of plans) {
        pending = plan.start();
        const service = await pending;
        running.push(service);
        if (stopped) throw new Error('stopped while starting');
        urls.push(service.url);
        // The URL only of a server of its own: a given one may carry a password.
        log(`[start] ${plan.owned ? `started ${plan.source}: ${service.url}` : `using ${plan.source}`}`);
      }
    } catch (error) {
      await stop();
      throw error;
    }
    const [databaseUrl, redisUrl] = urls;
    // REDIS_URL stays unset when REDIS_CLUSTER_NODES chose a cluster.
    return { DATABASE_URL: databaseUrl, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) };
  };

  return { start, stop, running };
}
