import type { SpawnedApp } from '@feedmesh/service-kit';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { eventually, logLines, startLeaf } from './support/fixture-apps.js';
import { callUnary, healthClient, rankingClient } from './support/standard-grpc.js';

let leaf: SpawnedApp;
let ranking: grpc.Client;
let health: grpc.Client;

beforeAll(async () => {
  // The delay keeps NOT_SERVING observable before connections close; the grace period is far
  // longer than the in-flight calls so that hitting it would show as a warning in the logs.
  leaf = await startLeaf({ SHUTDOWN_DELAY_MS: '500', SHUTDOWN_GRACE_MS: '8000' });
  ranking = rankingClient(leaf.address);
  health = healthClient(leaf.address);
});

afterAll(async () => {
  ranking?.close();
  health?.close();
  await leaf?.stop('SIGKILL');
});

async function inFlight(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^rpc_server_in_flight(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? NaN);
}

it('reports SERVING, then NOT_SERVING on SIGTERM while in-flight calls finish and the process exits 0', async () => {
  await expect(callUnary(health, 'Check', { service: '' })).resolves.toEqual({ status: 'SERVING' });
  const ready = await fetch(`http://127.0.0.1:${leaf.port}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });

  const watched: string[] = [];
  const watch = (health as unknown as { Watch(req: unknown): grpc.ClientReadableStream<{ status: string }> }).Watch({ service: '' });
  watch.on('data', (m: { status: string }) => watched.push(m.status));
  // The kit ends Watch streams at shutdown (after NOT_SERVING) so they do not hold the server open.
  const watchStatus = new Promise<number>((resolve) => watch.on('status', (status: grpc.StatusObject) => resolve(status.code)));
  watch.on('error', () => {});
  await eventually('Watch to report SERVING', () => watched.includes('SERVING'));

  // Slow calls on both protocols, admitted before the signal.
  const slow = { userId: 'sleep:800', candidates: [{ item: { id: 'i1', kind: 'ITEM_KIND_LIVE', authorId: 'a1' } }] };
  const calls = [
    callUnary(ranking, 'Rank', slow),
    callUnary(ranking, 'Rank', slow),
    connectJson(leaf.port, 'feedmesh.ranking.v1.RankingService/Rank', slow),
  ];
  await eventually('three calls in flight', async () => (await inFlight(leaf.port)) === 3);

  const exited = leaf.stop('SIGTERM');
  await eventually('Watch to report NOT_SERVING', () => watched.includes('NOT_SERVING'), 2_000);
  expect(watched).toEqual(['SERVING', 'NOT_SERVING']);
  const draining = await fetch(`http://127.0.0.1:${leaf.port}/readyz`);
  expect(draining.status).toBe(503);
  expect(await draining.json()).toEqual({ status: 'shutting_down' });

  const [first, second, overHttp] = await Promise.all(calls);
  expect(first).toMatchObject({ modelVersion: 'echo-1', items: [{ item: { id: 'i1' } }] });
  expect(second).toMatchObject({ modelVersion: 'echo-1' });
  expect(overHttp).toMatchObject({ status: 200, body: { modelVersion: 'echo-1' } });

  expect(await watchStatus).toBe(0);
  expect(await exited).toBe(0);
  const messages = logLines(leaf).map((l) => l.msg);
  expect(messages).toContain('stopped');
  expect(messages).not.toContain('grace period over; cancelling the calls still running');
});
