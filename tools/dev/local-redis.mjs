// The quick start's Redis: REDIS_URL or REDIS_CLUSTER_NODES when given; else the server answering
// on START_REDIS_PORT (6379); else a redis-server of the launcher's own, from the PATH, on a free
// port. It keeps nothing on disk: the launcher reseeds an empty Redis from the database.
import { accessSync, constants, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { startOwnedProcess } from './owned-process.mjs';
import { freePort, tcpAccepts } from './tcp-port.mjs';

function onPath(command, path = process.env.PATH ?? '') {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** As planPostgres: decided before anything starts; `missing` is the one line to print. */
export async function planRedis({ env, stateDir }) {
  const given = async () => ({ url: env.REDIS_URL, stop: async () => {} });
  if (env.REDIS_CLUSTER_NODES) return { source: 'REDIS_CLUSTER_NODES', start: given };
  if (env.REDIS_URL) return { source: 'REDIS_URL', start: given };
  const port = Number(env.START_REDIS_PORT || 6379);
  if (await tcpAccepts(port)) return { source: `Redis on 127.0.0.1:${port}`, start: async () => ({ url: `redis://127.0.0.1:${port}`, stop: async () => {} }) };
  const redisServer = onPath('redis-server', env.PATH);
  if (!redisServer) {
    return { missing: `No Redis: nothing answers on 127.0.0.1:${port} and redis-server is not on the PATH; install Redis (apt-get install redis-server, brew install redis) or set REDIS_URL.` };
  }
  const dir = join(stateDir, 'redis');
  return { source: `a redis-server of its own (${redisServer})`, owned: true, start: () => startLocalRedis(redisServer, dir) };
}

async function startLocalRedis(command, dir) {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const server = await startOwnedProcess({
    name: 'redis-server',
    command,
    args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    readyText: 'Ready to accept connections',
  });
  return { url: `redis://127.0.0.1:${port}`, port, pid: server.pid, stop: server.stop };
}
