import { create } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  ItemKind,
  RankResponseSchema,
  RecallResponseSchema,
  SourceStatus,
  type Candidate,
  type RankResponse,
  type RecallResponse,
} from '@feedmesh/contracts';
import { splitBudget, type CandidateSource } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { candidate } from '../../test/unit-fixtures.js';
import type { FeedDownstreams } from '../downstream/feed-downstreams.js';
import type { TimelineFallbackRequest } from '../downstream/home-timeline-fallback.js';
import { skeleton, type SkeletonRequest } from './skeleton.js';
import type { StageTimingRecord } from './stage-timing.js';

const request: SkeletonRequest = {
  userId: 'u1',
  served: new Set(['served']),
  snapshotMs: 5_000,
  recallLimit: 500,
  rankLimit: 10,
  debug: false,
  budgets: splitBudget(200),
};

const recalled = [candidate('old', 1_000), candidate('served', 2_000), candidate('mid', 3_000, ItemKind.VIDEO), candidate('new', 9_000)];
const okSource = { source: 'following', count: 4, status: SourceStatus.OK };

function downstreams(recall: () => Promise<RecallResponse>, rank: () => Promise<RankResponse>): FeedDownstreams & { rankedIds: string[] } {
  const seen: string[] = [];
  return {
    rankedIds: seen,
    recall: () => recall(),
    rank: async (req) => {
      seen.push(...(req.candidates ?? []).map((c) => c.item!.id!));
      return rank();
    },
    render: () => Promise.reject(new Error('not used')),
  };
}

const recallOk = async () => create(RecallResponseSchema, { candidates: recalled, sources: [okSource] });
const rankOk = async () =>
  create(RankResponseSchema, {
    items: [
      { item: recalled[2]!.item, score: 0.9, sources: ['following'] },
      { item: recalled[0]!.item, score: 0.5, sources: ['following', 'trending'] },
    ],
    modelVersion: 'm1',
  });
const down = async (): Promise<never> => {
  throw new ConnectError('connection refused', Code.Unavailable);
};
const timeline = (candidates: Candidate[]): CandidateSource<TimelineFallbackRequest, Candidate> => ({
  name: 'home-timeline-fallback',
  fetch: async () => candidates,
});

describe('skeleton', () => {
  it('filters served and post-snapshot candidates before ranking, and keeps the ranked order', async () => {
    const ds = downstreams(recallOk, rankOk);
    const timings: StageTimingRecord[] = [];
    const sk = await skeleton(request, { downstreams: ds, recallFallback: timeline([]) }, timings);
    expect(ds.rankedIds).toEqual(['old', 'mid']);
    expect(sk.dropped).toEqual({ 'already-served': 1, 'after-snapshot': 1 });
    expect(sk.entries.map((e) => [e.id, e.kind, e.score])).toEqual([
      ['mid', 'video', 0.9],
      ['old', 'article', 0.5],
    ]);
    expect(sk.degradedReasons).toEqual([]);
    expect(timings.map((t) => t.stage)).toEqual(['recall', 'ranking']);
    expect(timings[0]!.budgetMs).toBeCloseTo(request.budgets.recallMs, 1);
  });

  it('falls back to recency order when ranking fails, naming the code', async () => {
    const sk = await skeleton(request, { downstreams: downstreams(recallOk, down), recallFallback: timeline([]) }, []);
    expect(sk.entries.map((e) => [e.id, e.score])).toEqual([
      ['mid', 0],
      ['old', 0],
    ]);
    expect(sk.degradedReasons).toEqual(['ranking: unavailable']);
    expect(sk.ranked).toBe('recency-fallback');
  });

  it('names an open circuit as such', async () => {
    const open = async (): Promise<never> => {
      throw Object.assign(new Error('Breaker is open'), { code: 'EOPENBREAKER' });
    };
    const sk = await skeleton(request, { downstreams: downstreams(recallOk, open), recallFallback: timeline([]) }, []);
    expect(sk.degradedReasons).toEqual(['ranking: circuit_open']);
  });

  it('uses the home timeline when recall is down, still applying the session filters', async () => {
    const fallback = [candidate('t1', 4_000), candidate('served', 3_000)];
    const sk = await skeleton(request, { downstreams: downstreams(down, rankOk), recallFallback: timeline(fallback) }, []);
    expect(sk.degradedReasons).toEqual(['recall: unavailable']);
    expect(sk.sources.map((s) => [s.source, s.count])).toEqual([['home-timeline-fallback', 2]]);
    expect(sk.dropped['already-served']).toBe(1);
  });

  it('uses the fallback when every recall source failed, and is Unavailable when it has nothing', async () => {
    const allFailed = async () => create(RecallResponseSchema, { sources: [{ source: 'following', status: SourceStatus.TIMEOUT }] });
    const sk = await skeleton(request, { downstreams: downstreams(allFailed, rankOk), recallFallback: timeline([candidate('t1', 4_000)]) }, []);
    expect(sk.degradedReasons).toEqual(['recall: all_sources_failed']);
    expect(sk.sources.map((s) => s.source)).toEqual(['following', 'home-timeline-fallback']);

    await expect(skeleton(request, { downstreams: downstreams(down, rankOk), recallFallback: timeline([]) }, [])).rejects.toMatchObject({
      code: Code.Unavailable,
    });
  });

  it('does not call ranking when nothing survives the filters', async () => {
    const onlyServed = async () => create(RecallResponseSchema, { candidates: [candidate('served', 1)], sources: [okSource] });
    const ds = downstreams(onlyServed, rankOk);
    const sk = await skeleton(request, { downstreams: ds, recallFallback: timeline([]) }, []);
    expect(sk.entries).toEqual([]);
    expect(ds.rankedIds).toEqual([]);
  });
});
