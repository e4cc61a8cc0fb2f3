import type { SpawnedApp } from '@feedmesh/service-kit';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { startLeaf } from './support/fixture-apps.js';
import { callUnary, healthClient, rankingClient } from './support/standard-grpc.js';

// Clients built only from the public contract: grpc-js + proto-loader over the .proto files, and
// fetch with Connect JSON. Neither uses our generated code or our client.
let leaf: SpawnedApp;
let ranking: grpc.Client;
let health: grpc.Client;

beforeAll(async () => {
  leaf = await startLeaf();
  ranking = rankingClient(leaf.address);
  health = healthClient(leaf.address);
});

afterAll(async () => {
  ranking?.close();
  health?.close();
  await leaf?.stop();
});

const request = {
  userId: 'u-standard',
  candidates: [
    { item: { id: 'i1', kind: 'ITEM_KIND_ARTICLE', authorId: 'a1', createdAtMs: '1700000000000' }, sources: ['following'], recallScore: 0.5 },
    { item: { id: 'i2', kind: 'ITEM_KIND_VIDEO', authorId: 'a2', createdAtMs: '1700000000001' }, sources: ['trending', 'following'] },
  ],
  limit: 10,
};

it('answers a grpc-js client built from the .proto files and a Connect JSON fetch alike', async () => {
  const overGrpc = await callUnary(ranking, 'Rank', request);
  const overHttp = await connectJson(leaf.port, 'feedmesh.ranking.v1.RankingService/Rank', request);

  expect(overHttp.status).toBe(200);
  expect(overGrpc).toEqual(overHttp.body);
  // And the answer is the fixture's echo, not two identical empties.
  expect(overHttp.body).toEqual({
    items: [
      { item: request.candidates[0].item, score: 2, sources: ['following'] },
      { item: request.candidates[1].item, score: 1, sources: ['trending', 'following'] },
    ],
    modelVersion: 'echo-1',
  });
});

it('serves grpc.health.v1.Health/Check for the server and for each service', async () => {
  await expect(callUnary(health, 'Check', { service: '' })).resolves.toEqual({ status: 'SERVING' });
  await expect(callUnary(health, 'Check', { service: 'feedmesh.ranking.v1.RankingService' })).resolves.toEqual({ status: 'SERVING' });
  await expect(callUnary(health, 'Check', { service: 'no.such.Service' })).rejects.toMatchObject({ code: 5 }); // NOT_FOUND
});
