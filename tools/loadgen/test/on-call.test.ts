// LoadOptions.onCall: every measured call reaches the hook once, with its times, status and the
// decoded response, on each transport; warmup calls do not.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallOutcome } from '../src/index.js';
import { runLoad, UsageError } from '../src/index.js';
import { startConnectRankingFixture, startGrpcRankingFixture, type RunningFixture } from './fixtures/ranking-fixture.js';

const BODY = JSON.stringify({ userId: 'u1', limit: 1, candidates: [{ item: { id: 'i1' }, recallScore: 0.5 }, { item: { id: 'i2' }, recallScore: 0.9 }] });
const METHOD = 'feedmesh.ranking.v1.RankingService/Rank';

let fixture: RunningFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe('onCall', () => {
  it.each(['grpc', 'grpc-js', 'connect'] as const)('sees every measured call with its decoded response (%s)', async (protocol) => {
    fixture = protocol === 'connect' ? await startConnectRankingFixture() : await startGrpcRankingFixture();
    const calls: CallOutcome[] = [];
    const report = await runLoad({
      target: protocol === 'connect' ? `http://${fixture.address}` : fixture.address,
      method: METHOD,
      protocol,
      body: BODY,
      concurrency: 2,
      warmupMs: 100,
      requests: 20,
      onCall: (call) => calls.push(call),
    });
    expect(calls).toHaveLength(report.requests.completed);
    expect(calls).toHaveLength(20);
    for (const call of calls) {
      expect(call.code).toBe(0);
      expect(call.endMs).toBeGreaterThanOrEqual(call.intendedStartMs);
      expect((call.response as { items: { item?: { id: string } }[] }).items.map((ranked) => ranked.item?.id)).toEqual(['i2']);
    }
  });

  it('reports the failure code and no response for a failed call', async () => {
    fixture = await startGrpcRankingFixture('unavailable');
    const calls: CallOutcome[] = [];
    await runLoad({ target: fixture.address, method: METHOD, body: BODY, concurrency: 1, requests: 3, onCall: (call) => calls.push(call) });
    expect(calls.map((call) => [call.code, call.response])).toEqual([
      [14, undefined],
      [14, undefined],
      [14, undefined],
    ]);
  });

  it('is refused with worker threads, which cannot call back into this thread', async () => {
    await expect(runLoad({ target: '127.0.0.1:1', method: METHOD, workers: 2, concurrency: 2, onCall: () => {} })).rejects.toThrow(UsageError);
  });
});
