#!/usr/bin/env node
// `npm start`: the whole mesh on this machine against the local Postgres and Redis, or, when
// nothing answers and no DATABASE_URL / REDIS_URL is given, an embedded PostgreSQL and a
// redis-server of its own (tools/dev/backing-services.mjs), stopped with the mesh.
// Creates the database, applies migrations and seeds a small demo data set when it is empty
// (or when Redis lost its keys), then starts the five apps on their default ports and stops
// them gracefully on Ctrl-C. It refuses to start on Redis keys of another data set (the
// benchmark's, seeded into the same Redis). Callers authenticate as in production: a development
// key is generated at first start (tools/dev/dev-keys.mjs) and demo tokens are printed. The apps
// must be built first (the npm script does that).
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backingServices, MissingServiceError } from './backing-services.mjs';
import { devKeys, devKeysFile, identity } from './dev-keys.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));

const keys = devKeys();
const env = {
  // Authentication on, as in production: end users and services at the edge, peer tokens inside.
  AUTH_MODE: 'jwt',
  AUTH_TOKEN_SECRET: keys.authTokenSecret,
  MESH_AUTH: 'token',
  MESH_TOKEN_SECRET: keys.meshTokenSecret,
  ...process.env,
  // DATABASE_URL and REDIS_URL: set once the backing services are known (see the end).
  // The aggregator has no built-in cursor key (one anybody can read lets anybody forge cursors):
  // a random key per start, so cursors of an earlier run are refused (the client starts over).
  CURSOR_SECRETS: process.env.CURSOR_SECRETS ?? randomBytes(32).toString('base64url'),
  // Debug output (stage timings, score breakdowns) on a laptop; production denies it by default.
  FEED_DEBUG: process.env.FEED_DEBUG ?? 'allow',
  // No load balancer in front on a laptop: Ctrl-C drains at once instead of serving 5 s more.
  SHUTDOWN_DELAY_MS: process.env.SHUTDOWN_DELAY_MS ?? '0',
};
// START_PORT moves the five apps (the aggregator on it, the others on the next four), and
// START_WEB_PORT the example page, for a second mesh beside a running one (the quick start's test).
const basePort = Number(process.env.START_PORT || 8080);
const webPort = Number(process.env.START_WEB_PORT || 3000);
const aggregatorUrl = `http://127.0.0.1:${basePort}`;
// Order matters only for a quiet start: the aggregator's dependencies come up first.
const apps = [
  { name: 'recall', port: basePort + 1 },
  { name: 'ranking', port: basePort + 2 },
  { name: 'render', port: basePort + 3 },
  { name: 'ingest', port: basePort + 4 },
  { name: 'aggregator', port: basePort },
];

function run(entry, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(entry, args, { env: { ...env, ...extraEnv }, stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${entry} ${args.join(' ')} exited with ${code}`))));
  });
}

async function redisHasDemoData() {
  const { createRedis, redisKeys, userReadModelKey, waitForRedis } = require('@feedmesh/storage');
  const redis = createRedis({ url: env.REDIS_URL });
  try {
    await waitForRedis(redis);
    // The zsets and the read model (a seeded user's hash): data from before the read model counts as none.
    return (await redis.exists(redisKeys.trending(1), userReadModelKey('u1'))) === 2;
  } finally {
    redis.disconnect();
  }
}

// Before seeding: the seed would refuse too, but only this can say how to keep both data sets.
async function checkRedisIsNotAnotherDataSet() {
  const { checkDatasetBinding, createRedis, databaseNameOf, DatasetMismatchError, waitForRedis } = require('@feedmesh/storage');
  const redis = createRedis({ url: env.REDIS_URL });
  try {
    await waitForRedis(redis);
    await checkDatasetBinding(redis, databaseNameOf(env.DATABASE_URL));
  } catch (error) {
    if (!(error instanceof DatasetMismatchError)) throw error;
    throw new Error(`${error.message}\n[start] To keep both, run the demo on another Redis database: REDIS_URL=redis://127.0.0.1:6379/1 npm start`, { cause: error });
  } finally {
    redis.disconnect();
  }
}

async function seedDemoData() {
  const seed = join(root, 'tools/seed/dist/main.js');
  await run(seed, ['--if-empty']);
  // Redis keeps nothing on disk here: after a restart the timelines are gone though the
  // database is full. The generator is deterministic, so reseeding restores the same data.
  if (!(await redisHasDemoData())) {
    console.log('[start] Redis has no demo data; reseeding (same seed, same data)');
    await run(seed, ['--reset']);
  }
}

function startApp({ name, port, entry = join(root, 'apps', name, 'dist', 'main.js'), extraEnv = {} }) {
  return new Promise((resolve, reject) => {
    const child = fork(entry, [], {
      env: {
        ...env,
        PORT: String(port),
        RECALL_ADDR: `127.0.0.1:${basePort + 1}`,
        RANKING_ADDR: `127.0.0.1:${basePort + 2}`,
        RENDER_ADDR: `127.0.0.1:${basePort + 3}`,
        MIGRATE_ON_START: 'false',
        ...extraEnv,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} while starting`)));
    child.on('message', (message) => {
      if (message?.type === 'listening') {
        child.removeAllListeners('exit');
        resolve(child);
      }
    });
  });
}

// A cold process JIT-compiles on its first requests; a few feeds before announcing the mesh keep
// the first real request inside the default 250 ms budget.
async function warmUp(serviceToken) {
  for (let i = 1; i <= 20; i++) {
    await fetch(`${aggregatorUrl}/feedmesh.feed.v1.FeedService/GetFeed`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'connect-timeout-ms': '5000', authorization: `Bearer ${serviceToken}` },
      body: JSON.stringify({ userId: `u${i}`, pageSize: 20 }),
    }).catch(() => undefined);
  }
}

const children = [];
const services = backingServices({ env: process.env, root });
let stopping = false;
async function stopAll(signal, exitCode = 0) {
  if (stopping) return;
  stopping = true;
  console.log(`\n[start] ${signal}: stopping the mesh gracefully`);
  await Promise.all(
    children.reverse().map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
  // The apps are gone: now the Postgres and Redis this launcher started, if any.
  await services.stop();
  process.exit(exitCode);
}
process.on('SIGINT', () => void stopAll('SIGINT'));
process.on('SIGTERM', () => void stopAll('SIGTERM'));

try {
  Object.assign(env, await services.start());
  await checkRedisIsNotAnotherDataSet();
  await seedDemoData();
  for (const app of apps) {
    const child = await startApp(app);
    children.push(child);
    child.once('exit', (code) => {
      if (!stopping) {
        console.error(`[start] ${app.name} exited with ${code}; stopping the rest`);
        void stopAll('exit', 1);
      }
    });
  }
  // Demo tokens, valid a week: u1's own, and a service's that may act for any user.
  const { mintServiceToken, mintUserToken } = identity();
  const secret = env.AUTH_TOKEN_SECRET;
  const [userToken, serviceToken] = await Promise.all([mintUserToken(secret, 'u1', { ttlSeconds: 7 * 86_400 }), mintServiceToken(secret, 'demo-bff', undefined, { ttlSeconds: 7 * 86_400 })]);
  await warmUp(serviceToken);
  // The example BFF and web page (examples/web-feed), acting for its logged-in users with a service token of its own.
  const webFeedChild = await startApp({
    name: 'web-feed',
    port: webPort,
    entry: join(root, 'examples', 'web-feed', 'dist', 'main.js'),
    extraEnv: { AGGREGATOR_URL: aggregatorUrl, INGEST_URL: `http://127.0.0.1:${basePort + 4}`, FEEDMESH_TOKEN: await mintServiceToken(secret, 'web-feed', undefined, { ttlSeconds: 30 * 86_400 }), LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  });
  children.push(webFeedChild);
  webFeedChild.once('exit', (code) => {
    if (!stopping) console.error(`[start] web-feed exited with ${code}; the mesh keeps running`);
  });
  console.log(`
[start] feedmesh is up:
  aggregator  ${aggregatorUrl}   (FeedService: gRPC and Connect JSON)
  recall ${basePort + 1} · ranking ${basePort + 2} · render ${basePort + 3} · ingest ${basePort + 4}   (/healthz /readyz /metrics on each)
  web-feed    http://127.0.0.1:${webPort}/  (the example BFF and page: log in as any of u1…u20)

  Every call needs a token (development key: ${keys.created ? 'created now in ' : ''}${devKeysFile}).
  u1, valid 7 days:
    export U1_TOKEN=${userToken}
  demo-bff, a service that may act for any user (scope act_as_user), valid 7 days:
    export SERVICE_TOKEN=${serviceToken}
  More: npm run token -- u42 · npm run token -- --service loadgen

  curl -s -X POST ${aggregatorUrl}/feedmesh.feed.v1.FeedService/GetFeed \\
       -H 'content-type: application/json' -H "authorization: Bearer $U1_TOKEN" -d '{"userId":"u1","pageSize":5}'
  npx buf curl --protocol grpc --http2-prior-knowledge --schema proto -H "authorization: Bearer $U1_TOKEN" \\
       -d '{"userId":"u1","pageSize":5}' ${aggregatorUrl}/feedmesh.feed.v1.FeedService/GetFeed
Ctrl-C stops everything.`);
} catch (error) {
  console.error(error.message.replace(/^/gm, '[start] '));
  // Nothing was started when a service is missing: the line above is all there is to say.
  if (error instanceof MissingServiceError) process.exit(1);
  await stopAll('error', 1);
}
