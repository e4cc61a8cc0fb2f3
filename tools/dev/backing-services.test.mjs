// What `npm start` decides to use before it starts anything: a given URL always wins, a server
// answering on the probed port comes next, and a missing service is one line and nothing started.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { backingServices, MissingServiceError } from './backing-services.mjs';
import { freePort } from './tcp-port.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const stateDir = mkdtempSync(join(tmpdir(), 'feedmesh-backing-services-'));
after(() => rmSync(stateDir, { recursive: true, force: true }));

function listening() {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

test('a given DATABASE_URL and REDIS_URL win over servers answering on the probed ports, and nothing is started', async () => {
  const postgres = await listening();
  const redis = await listening();
  const lines = [];
  const services = backingServices({
    env: { DATABASE_URL: 'postgres://app:secret@db.example:5432/feedmesh', REDIS_URL: 'redis://cache.example:6379', START_POSTGRES_PORT: String(postgres.address().port), START_REDIS_PORT: String(redis.address().port) },
    root,
    stateDir,
    log: (line) => lines.push(line),
  });
  try {
    assert.deepEqual(await services.start(), { DATABASE_URL: 'postgres://app:secret@db.example:5432/feedmesh', REDIS_URL: 'redis://cache.example:6379' });
    assert.deepEqual(lines, ['[start] using DATABASE_URL', '[start] using REDIS_URL']);
    assert.equal(services.running.length, 2);
  } finally {
    await services.stop();
    postgres.close();
    redis.close();
  }
});

test('REDIS_CLUSTER_NODES chooses the cluster: no REDIS_URL is handed to the apps', async () => {
  const services = backingServices({ env: { DATABASE_URL: 'postgres://x/feedmesh', REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000' }, root, stateDir, log: () => {} });
  assert.deepEqual(await services.start(), { DATABASE_URL: 'postgres://x/feedmesh' });
});

test('servers answering on the probed ports are used as they are', async () => {
  const postgres = await listening();
  const redis = await listening();
  const services = backingServices({ env: { START_POSTGRES_PORT: String(postgres.address().port), START_REDIS_PORT: String(redis.address().port) }, root, stateDir, log: () => {} });
  try {
    assert.deepEqual(await services.start(), {
      DATABASE_URL: `postgres://postgres@127.0.0.1:${postgres.address().port}/feedmesh`,
      REDIS_URL: `redis://127.0.0.1:${redis.address().port}`,
    });
  } finally {
    postgres.close();
    redis.close();
  }
});

test('no Redis and no redis-server on the PATH: one line naming what is missing and how to get it, and nothing started', async () => {
  const redisPort = await freePort();
  const services = backingServices({ env: { DATABASE_URL: 'postgres://x/feedmesh', START_REDIS_PORT: String(redisPort), PATH: stateDir }, root, stateDir, log: () => assert.fail('nothing may start') });
  await assert.rejects(services.start(), (error) => {
    assert.ok(error instanceof MissingServiceError);
    assert.equal(error.message, `No Redis: nothing answers on 127.0.0.1:${redisPort} and redis-server is not on the PATH; install Redis (apt-get install redis-server, brew install redis) or set REDIS_URL.`);
    return true;
  });
  assert.equal(services.running.length, 0);
});
