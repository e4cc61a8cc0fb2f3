import type { SpawnedApp } from '@feedmesh/service-kit';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { eventually, logLines, startEdge, startLeaf } from './support/fixture-apps.js';
import { callUnary, feedClient, rankingClient } from './support/standard-grpc.js';

let leaf: SpawnedApp;
let edge: SpawnedApp;
let feed: grpc.Client;

beforeAll(async () => {
  leaf = await startLeaf();
  edge = await startEdge(leaf);
  feed = feedClient(edge.address);
  // Connect both hops first, so the deadlines below are spent on the calls, not on handshakes.
  await callUnary(feed, 'GetFeed', { userId: 'warm-up' });
});

afterAll(async () => {
  feed?.close();
  await edge?.stop();
  await leaf?.stop();
});

const DEADLINE_EXCEEDED = 4;

it("caps the leaf's deadline by the caller's deadline at the edge", async () => {
  const response = await callUnary<{ degradedReasons: string[] }>(feed, 'GetFeed', { userId: 'deadline' }, { deadlineMs: 50 });
  const match = /^remaining:(\d+)$/.exec(response.degradedReasons[0]);
  expect(match, response.degradedReasons[0]).not.toBeNull();
  const remaining = Number(match![1]);
  expect(remaining).toBeGreaterThan(0);
  expect(remaining).toBeLessThanOrEqual(50);
});

it('does the same for a Connect JSON caller (connect-timeout-ms)', async () => {
  const response = await connectJson(edge.port, 'feedmesh.feed.v1.FeedService/GetFeed', { userId: 'deadline' }, { 'connect-timeout-ms': '50' });
  expect(response.status).toBe(200);
  const remaining = Number(/^remaining:(\d+)$/.exec((response.body.degradedReasons as string[])[0])?.[1]);
  expect(remaining).toBeGreaterThan(0);
  expect(remaining).toBeLessThanOrEqual(50);
});

it("fails the caller with DEADLINE_EXCEEDED and cancels the leaf's work when the deadline passes", async () => {
  const started = Date.now();
  const error = await callUnary(feed, 'GetFeed', { userId: 'sleep:1000' }, { deadlineMs: 50 }).then(
    () => undefined,
    (e: grpc.ServiceError) => e,
  );
  const elapsed = Date.now() - started;
  expect(error?.code).toBe(DEADLINE_EXCEEDED);
  // Well before the leaf's 1 s sleep would have ended: the caller is not kept waiting.
  expect(elapsed).toBeLessThan(600);
  await eventually('the leaf to log work_cancelled', () => logLines(leaf).some((l) => l.event === 'work_cancelled'), 3_000);
});

it("cancels the leaf's work when a Connect JSON caller's timeout passes", async () => {
  const cancelledBefore = logLines(leaf).filter((l) => l.event === 'work_cancelled').length;
  const response = await connectJson(edge.port, 'feedmesh.feed.v1.FeedService/GetFeed', { userId: 'sleep:1000' }, { 'connect-timeout-ms': '50' });
  expect(response.body.code).toBe('deadline_exceeded');
  await eventually(
    'the leaf to log another work_cancelled',
    () => logLines(leaf).filter((l) => l.event === 'work_cancelled').length > cancelledBefore,
    3_000,
  );
});

describe('MAX_DEADLINE_MS', () => {
  let capped: SpawnedApp;
  let ranking: grpc.Client;
  const rank = 'feedmesh.ranking.v1.RankingService/Rank';

  beforeAll(async () => {
    capped = await startLeaf({ MAX_DEADLINE_MS: '300' });
    ranking = rankingClient(capped.address);
  });
  afterAll(async () => {
    ranking?.close();
    await capped?.stop();
  });

  it('cuts longer and absent deadlines to the cap, on both protocols', async () => {
    const remaining = (modelVersion: unknown) => Number(/^remaining:(\d+)$/.exec(String(modelVersion))?.[1]);
    const overGrpc = await callUnary<{ modelVersion: string }>(ranking, 'Rank', { userId: 'deadline' }, { deadlineMs: 60_000 });
    const overHttp = await connectJson(capped.port, rank, { userId: 'deadline' }, { 'connect-timeout-ms': '60000' });
    const overHttpWithout = await connectJson(capped.port, rank, { userId: 'deadline' });
    for (const modelVersion of [overGrpc.modelVersion, overHttp.body.modelVersion, overHttpWithout.body.modelVersion]) {
      expect(remaining(modelVersion), String(modelVersion)).toBeGreaterThan(0);
      expect(remaining(modelVersion), String(modelVersion)).toBeLessThanOrEqual(300);
    }
  });

  it('expires a call at the cap and cancels its work', async () => {
    const overGrpc = await callUnary(ranking, 'Rank', { userId: 'sleep:1000' }, { deadlineMs: 60_000 }).catch((e: grpc.ServiceError) => e);
    expect(overGrpc).toMatchObject({ code: DEADLINE_EXCEEDED });
    const overHttp = await connectJson(capped.port, rank, { userId: 'sleep:1000' });
    expect(overHttp.body.code).toBe('deadline_exceeded');
    await eventually('both calls to log work_cancelled', () => logLines(capped).filter((l) => l.event === 'work_cancelled').length === 2, 3_000);
  });
});
