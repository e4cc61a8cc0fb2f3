// Each answer names the version that gave it, on both protocols and on failures too: a canary's
// answers can be told from the stable track's by any caller, and its series by feedmesh_build_info.
import type { SpawnedApp } from '@feedmesh/service-kit';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLeaf } from './support/fixture-apps.js';
import { findSample, parsePrometheusText } from './support/prometheus-text.js';
import { rankingClient, type UnaryFn } from './support/standard-grpc.js';

const version = '2026.12.04-canary';
let leaf: SpawnedApp;
let ranking: grpc.Client;

beforeAll(async () => {
  leaf = await startLeaf({ BUILD_VERSION: version });
  ranking = rankingClient(leaf.address);
});

afterAll(async () => {
  ranking?.close();
  await leaf?.stop();
});

/** The initial metadata and the status (with trailers) of one Rank call. */
function rank(userId: string): Promise<{ headers: grpc.Metadata | undefined; status: grpc.StatusObject }> {
  const fn = (ranking as unknown as Record<string, UnaryFn>).Rank!.bind(ranking);
  return new Promise((resolve) => {
    let headers: grpc.Metadata | undefined;
    const call = fn({ userId }, new grpc.Metadata(), { deadline: Date.now() + 5_000 }, () => {});
    call.on('metadata', (md) => (headers = md));
    call.on('status', (status) => resolve({ headers, status }));
  });
}

it('gRPC: an answer carries x-feedmesh-version in its initial metadata', async () => {
  const { headers, status } = await rank('u1');
  expect(status.code).toBe(grpc.status.OK);
  expect(headers?.get('x-feedmesh-version')).toEqual([version]);
});

it('gRPC: a failure carries it in its trailers', async () => {
  const { status } = await rank('');
  expect(status.code).toBe(grpc.status.INVALID_ARGUMENT);
  expect(status.metadata.get('x-feedmesh-version')).toEqual([version]);
});

it('Connect and the ops endpoints: every HTTP/1.1 answer has the header, errors included', async () => {
  const call = (body: unknown) =>
    fetch(`http://127.0.0.1:${leaf.port}/feedmesh.ranking.v1.RankingService/Rank`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const ok = await call({ userId: 'u1' });
  expect(ok.status).toBe(200);
  expect(ok.headers.get('x-feedmesh-version')).toBe(version);
  const bad = await call({ userId: '' });
  expect(bad.status).toBe(400);
  expect(bad.headers.get('x-feedmesh-version')).toBe(version);
  const ready = await fetch(`http://127.0.0.1:${leaf.port}/readyz`);
  expect(ready.headers.get('x-feedmesh-version')).toBe(version);
});

it('/metrics reports it as feedmesh_build_info{app, version} = 1', async () => {
  const samples = parsePrometheusText(await (await fetch(`http://127.0.0.1:${leaf.port}/metrics`)).text());
  expect(findSample(samples, 'feedmesh_build_info', { app: 'leaf', version })?.value).toBe(1);
});
