import type { SpawnedApp } from '@feedmesh/service-kit';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { startLeaf } from './support/fixture-apps.js';
import { findSample, parsePrometheusText } from './support/prometheus-text.js';
import { callUnary, rankingClient } from './support/standard-grpc.js';

let leaf: SpawnedApp;
let ranking: grpc.Client;

beforeAll(async () => {
  leaf = await startLeaf();
  ranking = rankingClient(leaf.address);
});

afterAll(async () => {
  ranking?.close();
  await leaf?.stop();
});

it('exposes RPC latency by method, protocol and code, and the pool stats, on /metrics', async () => {
  const rank = 'feedmesh.ranking.v1.RankingService/Rank';
  await callUnary(ranking, 'Rank', { userId: 'u1' });
  await callUnary(ranking, 'Rank', { userId: 'u1' });
  await expect(callUnary(ranking, 'Rank', { userId: '' })).rejects.toMatchObject({ code: 3 });
  expect((await connectJson(leaf.port, rank, { userId: 'u1' })).status).toBe(200);

  const response = await fetch(`http://127.0.0.1:${leaf.port}/metrics`);
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const samples = parsePrometheusText(await response.text());
  const count = (code: string, protocol: string) =>
    findSample(samples, 'rpc_server_duration_seconds_count', {
      app: 'leaf',
      rpc_service: 'feedmesh.ranking.v1.RankingService',
      rpc_method: 'Rank',
      rpc_grpc_status_code: code,
      protocol,
    })?.value;

  expect(count('OK', 'grpc')).toBe(2);
  expect(count('INVALID_ARGUMENT', 'grpc')).toBe(1);
  expect(count('OK', 'connect')).toBe(1);
  expect(findSample(samples, 'rpc_server_duration_seconds_bucket', { rpc_grpc_status_code: 'OK', protocol: 'grpc', le: '+Inf' })?.value).toBe(2);

  const total = findSample(samples, 'db_client_connections', { pool: 'postgres', state: 'total' })?.value;
  const idle = findSample(samples, 'db_client_connections', { pool: 'postgres', state: 'idle' })?.value;
  expect(total).toBeGreaterThanOrEqual(1);
  expect(idle).toBeLessThanOrEqual(total!);
  expect(findSample(samples, 'db_client_connections', { pool: 'postgres', state: 'waiting' })?.value).toBe(0);
  // Node's process metrics come along.
  expect(findSample(samples, 'process_cpu_user_seconds_total', { app: 'leaf' })).toBeDefined();
});
