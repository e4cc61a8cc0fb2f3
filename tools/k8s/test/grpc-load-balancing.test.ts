// A Kubernetes Service balances connections, not calls: one long-lived grpc-js channel (the
// aggregator's to recall) would pin every call to one pod. Three real recall processes behind one
// name, called by one kit client, the two ways the manifests use: a Service's virtual IP (played by
// a proxy that hands each new TCP connection to the next process, as kube-proxy does) with the
// servers' bounded connection age, and a headless Service's addresses with round_robin.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { RecallService } from '@feedmesh/contracts';
import { createServiceClient, spawnApp, type SpawnedApp } from '@feedmesh/service-kit';
import { dropDatabase, prepareDatabase } from '@feedmesh/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../src/env-inventory.js';

const DATABASE_URL = `postgres://postgres@127.0.0.1:5432/feedmesh_test_k8s_lb_${process.pid}_${Date.now()}`;
const REDIS_URL = 'redis://127.0.0.1:6379/5';
const entry = path.join(repoRoot, 'apps', 'recall', 'dist', 'main.js');
const CONNECTION_AGE_MS = 200;

/** A connection-level round-robin TCP proxy: what a ClusterIP Service does with each new connection. */
function serviceProxy(ports: number[]): Promise<{ port: number; close(): Promise<void> }> {
  let next = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(ports[next++ % ports.length]!, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () => {
          for (const socket of sockets) socket.destroy();
          return new Promise((done) => server.close(() => done()));
        },
      }),
    ),
  );
}

/** Recall calls this process has served so far, from its own /metrics. */
async function recallCallsServed(app: SpawnedApp): Promise<number> {
  const text = await (await fetch(`http://${app.address}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('rpc_server_duration_seconds_count{') && line.includes('rpc_method="Recall"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * Sends `calls` Recall calls one every `intervalMs` (not waiting for answers), as steady traffic
 * does. What recall answers (an empty database may leave its sources unavailable) does not matter
 * here, only where each call was served: a call that reached no process is missing from the sums.
 */
async function steadyCalls(address: string, calls: number, intervalMs: number): Promise<void> {
  const client = createServiceClient(RecallService, { address, defaultTimeoutMs: 10_000, maxRetries: 0 });
  try {
    const outcomes: Promise<unknown>[] = [];
    const started = performance.now();
    for (let i = 0; i < calls; i++) {
      const wait = started + i * intervalMs - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      outcomes.push(client.recall({ userId: randomUUID(), limit: 5 }).catch(() => {}));
    }
    await Promise.all(outcomes);
  } finally {
    client.close();
  }
}

/** Calls each process served while `run` ran. */
async function servedDuring(apps: SpawnedApp[], run: () => Promise<unknown>): Promise<number[]> {
  const before = await Promise.all(apps.map(recallCallsServed));
  await run();
  const after = await Promise.all(apps.map(recallCallsServed));
  return after.map((count, i) => count - before[i]!);
}

function expectEvenSpread(counts: number[], total: number): void {
  expect(counts.reduce((a, b) => a + b, 0)).toBe(total);
  const mean = total / counts.length;
  for (const count of counts) expect(Math.abs(count - mean), `${JSON.stringify(counts)} within ±20 % of ${mean}`).toBeLessThanOrEqual(0.2 * mean);
}

// Every call is counted where it lands, so none may be shed on a busy machine (admission has tests of its own).
const noShedding = { ADAPTIVE_CONCURRENCY: 'false', MAX_QUEUE_WAIT_MS: '5000' };
const start = (env: Record<string, string>, name: string) => spawnApp(entry, { DATABASE_URL, REDIS_URL, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn', ...noShedding, ...env }, { name, timeoutMs: 60_000 });

let aging: SpawnedApp[] = [];
let lasting: SpawnedApp[] = [];

beforeAll(async () => {
  await prepareDatabase({ DATABASE_URL, MIGRATE_ON_START: true });
  [aging, lasting] = await Promise.all([
    Promise.all([1, 2, 3].map((n) => start({ GRPC_MAX_CONNECTION_AGE_MS: String(CONNECTION_AGE_MS), GRPC_MAX_CONNECTION_AGE_GRACE_MS: '2000' }, `recall-aging-${n}`))),
    Promise.all([1, 2, 3].map((n) => start({ GRPC_MAX_CONNECTION_AGE_MS: '0' }, `recall-lasting-${n}`))),
  ]);
});

afterAll(async () => {
  await Promise.all([...aging, ...lasting].map((app) => app.stop()));
  await dropDatabase(DATABASE_URL);
});

describe('one kit client, three recall processes behind one name', () => {
  it('behind a Service: connections that never age pin every call to one process (the problem)', async () => {
    const proxy = await serviceProxy(lasting.map((app) => app.port));
    try {
      const counts = await servedDuring(lasting, () => steadyCalls(`127.0.0.1:${proxy.port}`, 300, 5));
      expect(counts.toSorted((a, b) => b - a)).toEqual([300, 0, 0]);
    } finally {
      await proxy.close();
    }
  });

  it(`behind a Service: with GRPC_MAX_CONNECTION_AGE_MS=${CONNECTION_AGE_MS} the calls spread within ±20 %`, async () => {
    const proxy = await serviceProxy(aging.map((app) => app.port));
    try {
      // 9 s of steady traffic: ~45 connection lifetimes, ~15 on each process.
      const counts = await servedDuring(aging, () => steadyCalls(`127.0.0.1:${proxy.port}`, 900, 10));
      console.log(`Service + connection age ${CONNECTION_AGE_MS} ms: calls per process ${JSON.stringify(counts)}`);
      expectEvenSpread(counts, 900);
    } finally {
      await proxy.close();
    }
  });

  it('behind a headless Service: the kit round-robins calls over every address the name resolves to', async () => {
    const target = `ipv4:${lasting.map((app) => app.address).join(',')}`;
    const counts = await servedDuring(lasting, () => steadyCalls(target, 300, 5));
    console.log(`headless + round_robin: calls per process ${JSON.stringify(counts)}`);
    expectEvenSpread(counts, 300);
  });

  it('takes a dns:/// target as the manifests write it (dns:///recall-pods:8081)', async () => {
    // localhost resolves to 127.0.0.1 (and maybe ::1, where nothing listens): the calls reach the one that answers.
    const counts = await servedDuring(lasting, () => steadyCalls(`dns:///localhost:${lasting[0]!.port}`, 20, 5));
    expect(counts).toEqual([20, 0, 0]);
  });
});
