import type { SpawnedApp } from '@feedmesh/service-kit';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { eventually, logLines, startLeaf } from './support/fixture-apps.js';
import { callUnary, healthClient, rankingClient } from './support/standard-grpc.js';

// Each protocol is drained alone: a call of the other protocol in flight would keep the
// server open and hide a drain that drops this one's calls.
const delayMs = 400;
const drainEnv = { SHUTDOWN_DELAY_MS: String(delayMs), SHUTDOWN_GRACE_MS: '8000' };
const rank = 'feedmesh.ranking.v1.RankingService/Rank';
// In flight from before the signal until well after the delay closed the listener.
const slow = { userId: 'sleep:1500', candidates: [{ item: { id: 'i1', kind: 'ITEM_KIND_LIVE', authorId: 'a1' } }] };
const quick = { userId: 'u1' };

let overHttp: SpawnedApp;
let overGrpc: SpawnedApp;
const clients: grpc.Client[] = [];

beforeAll(async () => {
  [overHttp, overGrpc] = await Promise.all([startLeaf(drainEnv), startLeaf(drainEnv)]);
});

afterAll(async () => {
  for (const client of clients) client.close();
  await Promise.all([overHttp?.stop('SIGKILL'), overGrpc?.stop('SIGKILL')]);
});

async function inFlight(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^rpc_server_in_flight(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? NaN);
}

async function readiness(port: number): Promise<number> {
  return (await fetch(`http://127.0.0.1:${port}/readyz`)).status;
}

/** Sends SIGTERM; resolves with the exit code and how long the port went on accepting connections. */
async function terminate(app: SpawnedApp): Promise<{ exited: Promise<number | null>; signalledAt: number }> {
  const signalledAt = performance.now();
  return { exited: app.stop('SIGTERM'), signalledAt };
}

function expectCleanStop(app: SpawnedApp): void {
  const messages = logLines(app).map((l) => l.msg);
  expect(messages).toContain('stopped');
  expect(messages).not.toContain('grace period over; cancelling the calls still running');
}

describe('SIGTERM with only Connect (HTTP/1.1) calls in flight', () => {
  it('reports not-ready at once, keeps serving for the delay, then finishes the in-flight call and exits 0', async () => {
    expect(await readiness(overHttp.port)).toBe(200);
    const call = connectJson(overHttp.port, rank, slow);
    await eventually('the call in flight', async () => (await inFlight(overHttp.port)) === 1);

    const { exited, signalledAt } = await terminate(overHttp);
    await eventually('readiness to say not-ready', async () => (await readiness(overHttp.port)) === 503, 300);
    // During the delay a new connection is still served (load balancers may not have noticed yet).
    const during = await connectJson(overHttp.port, rank, quick);
    expect(during).toMatchObject({ status: 200, body: { modelVersion: 'echo-1' } });
    expect(performance.now() - signalledAt).toBeLessThan(delayMs);

    expect(await call).toMatchObject({ status: 200, body: { modelVersion: 'echo-1' } });
    expect(await exited).toBe(0);
    expectCleanStop(overHttp);
  });
});

describe('SIGTERM with only gRPC calls in flight', () => {
  it('reports NOT_SERVING at once (check and Watch), keeps serving for the delay, then finishes the in-flight call and exits 0', async () => {
    const ranking = rankingClient(overGrpc.address);
    const health = healthClient(overGrpc.address);
    clients.push(ranking, health);
    await expect(callUnary(health, 'Check', { service: '' })).resolves.toEqual({ status: 'SERVING' });

    const watched: string[] = [];
    const watch = (health as unknown as { Watch(req: unknown): grpc.ClientReadableStream<{ status: string }> }).Watch({ service: '' });
    watch.on('data', (m: { status: string }) => watched.push(m.status));
    // The kit ends Watch streams at shutdown (after NOT_SERVING) so they do not hold the server open.
    const watchStatus = new Promise<number>((resolve) => watch.on('status', (status: grpc.StatusObject) => resolve(status.code)));
    watch.on('error', () => {});
    await eventually('Watch to report SERVING', () => watched.includes('SERVING'));

    const call = callUnary(ranking, 'Rank', slow);
    await eventually('the call in flight', async () => (await inFlight(overGrpc.port)) === 1);

    const { exited, signalledAt } = await terminate(overGrpc);
    await eventually('Watch to report NOT_SERVING', () => watched.includes('NOT_SERVING'), 300);
    await expect(callUnary(health, 'Check', { service: '' })).resolves.toEqual({ status: 'NOT_SERVING' });
    await expect(callUnary(ranking, 'Rank', quick)).resolves.toMatchObject({ modelVersion: 'echo-1' });
    expect(performance.now() - signalledAt).toBeLessThan(delayMs);

    await expect(call).resolves.toMatchObject({ modelVersion: 'echo-1', items: [{ item: { id: 'i1' } }] });
    expect(watched).toEqual(['SERVING', 'NOT_SERVING']);
    expect(await watchStatus).toBe(0);
    expect(await exited).toBe(0);
    expectCleanStop(overGrpc);
  });
});
