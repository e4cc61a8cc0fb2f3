import { connect as connectHttp2 } from 'node:http2';
import type { SpawnedApp } from '@feedmesh/service-kit';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { eventually, startLeaf } from './support/fixture-apps.js';
import { findSample, parsePrometheusText } from './support/prometheus-text.js';
import { RawConnection } from './support/raw-http.js';
import { callUnary, healthClient, rankingClient } from './support/standard-grpc.js';

// Bounded in-flight work: beyond MAX_CONCURRENT_CALLS calls wait in a bounded queue, beyond that
// (or past MAX_QUEUE_WAIT_MS) they are refused at once with RESOURCE_EXHAUSTED, on both protocols;
// probes are never refused. Connections that stay silent or idle are closed.
let full: SpawnedApp;
let strict: SpawnedApp;
let tight: SpawnedApp;
let adaptive: SpawnedApp;
const clients: grpc.Client[] = [];

beforeAll(async () => {
  [full, strict, tight, adaptive] = await Promise.all([
    startLeaf({ MAX_CONCURRENT_CALLS: '2', MAX_QUEUED_CALLS: '1', MAX_QUEUE_WAIT_MS: '5000' }),
    startLeaf({
      MAX_CONCURRENT_CALLS: '1',
      MAX_QUEUED_CALLS: '10',
      MAX_QUEUE_WAIT_MS: '100',
      FIRST_BYTE_TIMEOUT_MS: '300',
      HTTP_KEEPALIVE_TIMEOUT_MS: '300',
      GRPC_IDLE_TIMEOUT_MS: '300',
    }),
    startLeaf({ MAX_CONCURRENT_CALLS: '2', MAX_QUEUED_CALLS: '0' }),
    startLeaf({ MAX_CONCURRENT_CALLS: '64', ADAPTIVE_CONCURRENCY: 'true', MIN_CONCURRENT_CALLS: '2' }),
  ]);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all([full?.stop(), strict?.stop(), tight?.stop(), adaptive?.stop()]);
});

const rank = 'feedmesh.ranking.v1.RankingService/Rank';
const sleeping = (ms: number) => ({ userId: `sleep:${ms}` });

async function metricsOf(app: SpawnedApp) {
  return parsePrometheusText(await (await fetch(`http://127.0.0.1:${app.port}/metrics`)).text());
}

async function timed<T>(promise: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await promise;
  return { value, ms: performance.now() - started };
}

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: grpc.ServiceError) => e,
  );

describe('admission (MAX_CONCURRENT_CALLS 2, MAX_QUEUED_CALLS 1)', () => {
  it('runs two calls, queues one and refuses the rest at once on both protocols, while probes answer', async () => {
    const ranking = rankingClient(full.address);
    const health = healthClient(full.address);
    clients.push(ranking, health);
    const running = [callUnary(ranking, 'Rank', sleeping(1000)), connectJson(full.port, rank, sleeping(1000))];
    await eventually('two calls running', async () => findSample(await metricsOf(full), 'rpc_server_in_flight', {})?.value === 2);
    const queued = callUnary(ranking, 'Rank', { userId: 'u1' });
    await eventually('one call queued', async () => findSample(await metricsOf(full), 'rpc_server_queued', {})?.value === 1);

    const overGrpc = await timed(refusal(callUnary(ranking, 'Rank', { userId: 'u1' })));
    expect(overGrpc.value).toMatchObject({ code: 8, details: 'the server is overloaded; retry with backoff' });
    expect(overGrpc.ms).toBeLessThan(250);
    const overConnect = await timed(connectJson(full.port, rank, { userId: 'u1' }));
    expect(overConnect.value).toEqual({ status: 429, body: { code: 'resource_exhausted', message: 'the server is overloaded; retry with backoff' } });
    expect(overConnect.ms).toBeLessThan(250);

    // Probes and the health service are outside admission.
    for (const path of ['/healthz', '/readyz', '/metrics']) expect((await fetch(`http://127.0.0.1:${full.port}${path}`)).status).toBe(200);
    await expect(callUnary(health, 'Check', { service: '' })).resolves.toEqual({ status: 'SERVING' });

    const [first, second] = await Promise.all(running);
    expect(first).toMatchObject({ modelVersion: 'echo-1' });
    expect(second).toMatchObject({ status: 200 });
    await expect(queued).resolves.toMatchObject({ modelVersion: 'echo-1' });

    const samples = await metricsOf(full);
    expect(findSample(samples, 'rpc_server_shed_total', { protocol: 'grpc', reason: 'queue_full' })?.value).toBe(1);
    expect(findSample(samples, 'rpc_server_shed_total', { protocol: 'connect', reason: 'queue_full' })?.value).toBe(1);
    expect(findSample(samples, 'rpc_server_duration_seconds_count', { protocol: 'grpc', rpc_grpc_status_code: 'RESOURCE_EXHAUSTED' })?.value).toBe(1);
    expect(findSample(samples, 'rpc_server_duration_seconds_count', { protocol: 'connect', rpc_grpc_status_code: 'RESOURCE_EXHAUSTED' })?.value).toBe(1);
    expect(findSample(samples, 'rpc_server_in_flight', {})?.value).toBe(0);
    expect(findSample(samples, 'rpc_server_queued', {})?.value).toBe(0);
  });
});

describe('admission slots of finished Connect calls (MAX_CONCURRENT_CALLS 2, MAX_QUEUED_CALLS 0)', () => {
  it('gives the slot back after every answer, success or error, so later calls on both protocols are served', async () => {
    const statuses: number[] = [];
    for (const body of [{}, { userId: 'u1' }, '{"userId":', { userId: 'fail:not-found' }, { userId: 'u1' }, {}, { userId: 'u1' }]) {
      statuses.push((await connectJson(tight.port, rank, body)).status);
    }
    expect(statuses).toEqual([400, 200, 400, 404, 200, 400, 200]);
    const ranking = rankingClient(tight.address);
    clients.push(ranking);
    await expect(callUnary(ranking, 'Rank', { userId: 'u1' })).resolves.toMatchObject({ modelVersion: 'echo-1' });
    await expect(Promise.all([connectJson(tight.port, rank, { userId: 'u1' }), connectJson(tight.port, rank, { userId: 'u1' })])).resolves.toMatchObject([{ status: 200 }, { status: 200 }]);
  });
});

describe('the adaptive concurrency limit (MAX_CONCURRENT_CALLS 64)', () => {
  /** `callers` closed-loop callers of Rank taking `ms` each, over both protocols, for `forMs`; the codes they got. */
  async function load(callers: number, ms: number, forMs: number): Promise<number[]> {
    const ranking = rankingClient(adaptive.address);
    clients.push(ranking);
    const codes: number[] = [];
    const until = Date.now() + forMs;
    await Promise.all(
      Array.from({ length: callers }, async (_, i) => {
        while (Date.now() < until) {
          if (i % 2) codes.push((await connectJson(adaptive.port, rank, sleeping(ms))).status === 429 ? 8 : 0);
          else codes.push(((await refusal(callUnary(ranking, 'Rank', sleeping(ms)))) as grpc.ServiceError | undefined)?.code ?? 0);
        }
      }),
    );
    return codes;
  }
  const limitOf = async () => findSample(await metricsOf(adaptive), 'rpc_server_concurrency_limit', {})?.value;

  it('starts at its ceiling, and drops when latency rises at the same concurrency (calls queue instead of running)', async () => {
    expect(await limitOf()).toBe(64);
    const fast = await load(14, 10, 1_500);
    expect(fast.filter((c) => c === 8)).toHaveLength(0);
    // Ten times slower at the same concurrency (on a busy CI box a fast call may take ~100 ms).
    const slow = await load(14, 600, 3_000);
    const after = await limitOf();
    expect(after).toBeLessThan(14);
    expect(after).toBeGreaterThanOrEqual(2);
    // Beyond the limit the callers are refused, fast.
    expect(slow.filter((c) => c === 8).length).toBeGreaterThan(0);
  });
});

describe('MAX_QUEUE_WAIT_MS 100 and idle timeouts of 300 ms', () => {
  it('refuses a queued call once it waited MAX_QUEUE_WAIT_MS', async () => {
    const ranking = rankingClient(strict.address);
    clients.push(ranking);
    const running = callUnary(ranking, 'Rank', sleeping(800));
    await eventually('the call running', async () => findSample(await metricsOf(strict), 'rpc_server_in_flight', {})?.value === 1);
    const waited = await timed(refusal(callUnary(ranking, 'Rank', { userId: 'u1' })));
    expect(waited.value).toMatchObject({ code: 8 });
    expect(waited.ms).toBeGreaterThanOrEqual(90);
    expect(waited.ms).toBeLessThan(500);
    const overConnect = await timed(connectJson(strict.port, rank, { userId: 'u1' }));
    expect(overConnect.value.status).toBe(429);
    expect(overConnect.ms).toBeGreaterThanOrEqual(90);
    await expect(running).resolves.toMatchObject({ modelVersion: 'echo-1' });
    const samples = await metricsOf(strict);
    expect(findSample(samples, 'rpc_server_shed_total', { protocol: 'grpc', reason: 'queue_timeout' })?.value).toBe(1);
    expect(findSample(samples, 'rpc_server_shed_total', { protocol: 'connect', reason: 'queue_timeout' })?.value).toBe(1);
  });

  it('closes a connection that never sends a byte', async () => {
    const silent = await RawConnection.open(strict.port);
    expect(await silent.closedWithin(150)).toBe(false);
    expect(await silent.closedWithin(2_000)).toBe(true);
  });

  it('closes an HTTP/1.1 connection whose request head never completes', async () => {
    const slowLoris = await RawConnection.open(strict.port);
    slowLoris.write('GET /healthz HTTP/1.1\r\nhost: x\r\n');
    expect(await slowLoris.closedWithin(3_000)).toBe(true);
  });

  it('closes an idle HTTP/1.1 keep-alive connection', async () => {
    const idle = await RawConnection.open(strict.port);
    idle.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n');
    await idle.responses(1);
    expect(idle.wasClosed).toBe(false);
    expect(await idle.closedWithin(3_000)).toBe(true);
  });

  it('closes an HTTP/2 connection without calls (GOAWAY)', async () => {
    const session = connectHttp2(`http://127.0.0.1:${strict.port}`);
    session.on('error', () => {});
    const goaway = new Promise<boolean>((resolve) => {
      session.once('goaway', () => resolve(true));
      session.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 3_000);
    });
    expect(await goaway).toBe(true);
    session.destroy();
  });
});
