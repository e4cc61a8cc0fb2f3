import { create } from '@bufbuild/protobuf';
import { CandidateSchema, ItemKind, type Candidate } from '@feedmesh/contracts';
import { columnsOfCandidates, emptyUserFeatures, type UserFeatures } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { parseRankingModel, type RankingModel } from '../model/ranking-model.js';
import { diversityReach } from './diversity-selector.js';
import { rankCandidates as rankColumns, type RankInput } from './rank-candidates.js';
import { shippedModel } from '../model/default-model.js';

const NOW = 1_750_000_000_000;
const HOUR = 3_600_000;

function candidate(id: string, kind: ItemKind, authorId: string, ageHours: number): Candidate {
  return create(CandidateSchema, {
    item: { id, kind, authorId, createdAtMs: BigInt(NOW - ageHours * HOUR) },
    sources: ['following'],
    stats: { views: 100n, likes: 5n, shares: 0n, hides: 0n },
  });
}

function model(diversity: Partial<RankingModel['diversity']> = {}, weights?: Record<string, number>, inNetwork?: RankingModel['inNetwork']): RankingModel {
  return parseRankingModel(
    { ...JSON.parse(JSON.stringify(shippedModel.scoring)), ...(weights ? { weights } : {}), diversity, ...(inNetwork ? { inNetwork } : {}) },
    { maxSameKindRun: 100, maxSameAuthorRun: 100, lookahead: 100 },
  );
}

const ids = (candidates: readonly Candidate[], picked: ArrayLike<number>) => Array.from(picked, (i) => candidates[i]!.item!.id);
/** The v1 call shape: candidates as columns, breakdowns showing their ids. */
const rankCandidates = ({ candidates, ...rest }: Omit<RankInput, 'columns'> & { candidates: readonly Candidate[] }) =>
  rankColumns({ ...rest, columns: columnsOfCandidates(candidates), itemIdOf: (i) => candidates[i]!.item!.id });

describe('rankCandidates', () => {
  // Freshness-only model: younger is better, so the expected order is obvious.
  const byAge = [5, 1, 3, 2, 4].map((age, i) => candidate(`i${i}`, ItemKind.ARTICLE, `a${i}`, age));

  it('orders by score, best first, and returns every item when limit is 0', () => {
    const out = rankCandidates({ candidates: byAge, user: emptyUserFeatures, model: model(), nowMs: NOW, limit: 0, debug: false });
    expect(ids(byAge, out.picked)).toEqual(['i1', 'i3', 'i2', 'i4', 'i0']);
    for (let k = 1; k < out.picked.length; k++) expect(out.scores[out.picked[k - 1]!]).toBeGreaterThanOrEqual(out.scores[out.picked[k]!]!);
    expect(out.breakdowns).toBeUndefined();
  });

  it('breaks score ties by newest first, then id', () => {
    const tied = [candidate('b', ItemKind.VIDEO, 'x', 1), candidate('a', ItemKind.VIDEO, 'y', 1), candidate('c', ItemKind.VIDEO, 'z', 1)];
    const out = rankCandidates({ candidates: tied, user: emptyUserFeatures, model: model({}, { 'engagement-rate': 1 }), nowMs: NOW, limit: 0, debug: false });
    expect(ids(tied, out.picked)).toEqual(['a', 'b', 'c']);
  });

  it('uses the user features: affinity lifts an older item', () => {
    const user: UserFeatures = { authorAffinity: new Map([['a0', 1]]), kindAffinity: new Map() };
    const out = rankCandidates({ candidates: byAge, user, model: model(), nowMs: NOW, limit: 1, debug: false });
    expect(ids(byAge, out.picked)).toEqual(['i0']);
  });

  it('applies the diversity rules of the model to the top limit', () => {
    // Scores: all of author A first, then B; kinds alternate enough to leave only the author rule.
    const runs = [0, 1, 2, 3].map((k) => candidate(`A${k}`, ItemKind.ARTICLE, 'A', k)).concat(
      [0, 1].map((k) => candidate(`B${k}`, ItemKind.VIDEO, 'B', 10 + k)),
    );
    const out = rankCandidates({ candidates: runs, user: emptyUserFeatures, model: model({ maxSameAuthorRun: 2 }), nowMs: NOW, limit: 5, debug: false });
    expect(ids(runs, out.picked)).toEqual(['A0', 'A1', 'B0', 'A2', 'A3']);
    const out1 = rankCandidates({ candidates: runs, user: emptyUserFeatures, model: model({ maxSameAuthorRun: 1 }), nowMs: NOW, limit: 0, debug: false });
    expect(ids(runs, out1.picked)).toEqual(['A0', 'B0', 'A1', 'B1', 'A2', 'A3']);
  });

  it('explains only the returned items, and the contributions sum to the score', () => {
    const user: UserFeatures = { authorAffinity: new Map([['a2', 0.7]]), kindAffinity: new Map([[ItemKind.ARTICLE, 0.3]]) };
    const out = rankCandidates({ candidates: byAge, user, model: model(), nowMs: NOW, limit: 2, debug: true });
    expect(out.breakdowns).toHaveLength(2);
    out.breakdowns!.forEach((b, k) => {
      expect(b.itemId).toBe(byAge[out.picked[k]!]!.item!.id);
      expect(b.score).toBe(out.scores[out.picked[k]!]);
      expect(b.features.map((f) => f.feature)).toEqual(['freshness', 'engagement-rate', 'author-affinity', 'kind-preference', 'source-boost']);
      expect(b.features.reduce((sum, f) => sum + f.contribution, 0)).toBe(b.score);
      for (const f of b.features) expect(f.contribution).toBe(f.value * f.weight);
    });
  });
});

describe('rankCandidates with the shipped in-network rule', () => {
  const MINUTE = 60_000;
  /** 500 older candidates (a third in-network, with engagement and, for some authors, affinity) and fresh posts of followed authors. */
  function block(freshPosts: { id: string; author: string; ageMinutes: number }[]) {
    const old = Array.from({ length: 500 }, (_, i) =>
      create(CandidateSchema, {
        item: { id: `old${i}`, kind: [ItemKind.ARTICLE, ItemKind.VIDEO, ItemKind.LIVE][i % 3]!, authorId: `o${i % 37}`, createdAtMs: BigInt(NOW - (2 + (i % 40)) * HOUR) },
        sources: i % 3 === 0 ? ['following'] : ['trending'],
        stats: { views: 1000n, likes: BigInt(50 + (i % 100)), shares: 5n, hides: 0n },
      }),
    );
    const fresh = freshPosts.map((p) =>
      create(CandidateSchema, { item: { id: p.id, kind: ItemKind.ARTICLE, authorId: p.author, createdAtMs: BigInt(NOW - p.ageMinutes * MINUTE) }, sources: ['following'] }),
    );
    return [...fresh, ...old];
  }
  const user: UserFeatures = { authorAffinity: new Map(Array.from({ length: 37 }, (_, a) => [`o${a}`, 0.9])), kindAffinity: new Map() };
  const isIn = (c: Candidate) => c.sources.includes('following');

  it('a just-followed author\'s new post, scored below older items, is first; the model can turn the rule off', () => {
    const candidates = block([{ id: 'new', author: 'just-followed', ageMinutes: 0 }]);
    const on = rankCandidates({ candidates, user, model: shippedModel, nowMs: NOW, limit: 61, debug: true });
    expect(ids(candidates, on.picked)[0]).toBe('new');
    // It is first by the rule, not by its score.
    const best = Math.max(...on.scores);
    expect(on.scores[0]).toBeLessThan(best);
    // Breakdowns follow the picked order and still add up.
    expect(on.breakdowns!.map((b) => b.itemId)).toEqual(ids(candidates, on.picked));
    expect(on.breakdowns![0]!.features.find((f) => f.feature === 'author-affinity')!.value).toBe(0.5); // the follow floor
    for (const b of on.breakdowns!) expect(b.features.reduce((sum, f) => sum + f.contribution, 0)).toBe(b.score);

    const off = rankCandidates({ candidates, user, model: model({ maxSameKindRun: 3, maxSameAuthorRun: 2 }, undefined, { share: 0, outOfNetworkShare: 0, freshMinutes: 0 }), nowMs: NOW, limit: 61, debug: false });
    expect(ids(candidates, off.picked)).not.toContain('new');
  });

  it('with 20 fresh posts of four followed authors: newest first among in-network, no author more than 2 in a row, others per the quota', () => {
    const fresh = Array.from({ length: 21 }, (_, k) => ({ id: `f${k}`, author: `followed-${Math.floor(k / 6)}`, ageMinutes: 30 - k })); // posted in bursts per author
    const candidates = block(fresh);
    const out = rankCandidates({ candidates, user, model: shippedModel, nowMs: NOW, limit: 61, debug: false });
    const page = Array.from(out.picked, (i) => candidates[i]!);
    expect(page[0]!.item!.id).toBe('f20'); // the newest
    for (const id of fresh.map((f) => f.id)) expect(ids(candidates, out.picked)).toContain(id);
    let run = 1;
    for (let k = 1; k < page.length; k++) {
      run = page[k]!.item!.authorId === page[k - 1]!.item!.authorId ? run + 1 : 1;
      expect(run, `position ${k}`).toBeLessThanOrEqual(shippedModel.diversity.maxSameAuthorRun);
    }
    const first20 = page.slice(0, 20);
    expect(first20.filter((c) => !isIn(c)).length).toBeGreaterThanOrEqual(Math.floor(shippedModel.inNetwork.outOfNetworkShare * 20) - 1);
    expect(first20.filter(isIn).length).toBeGreaterThanOrEqual(Math.ceil(shippedModel.inNetwork.share * 20) - 1);
  });
});

describe('rankCandidates: a page is the head of the full ranking, with the in-network rule', () => {
  it('even when the reachable prefix is all of one class', () => {
    for (const inNetworkOnTop of [true, false]) {
      const candidates = Array.from({ length: 3000 }, (_, i) =>
        create(CandidateSchema, {
          item: { id: `c${i}`, kind: [ItemKind.ARTICLE, ItemKind.VIDEO, ItemKind.LIVE][i % 3]!, authorId: `a${i % 53}`, createdAtMs: BigInt(NOW - (i % 900) * 60_000 - (i < 1500 === inNetworkOnTop ? 0 : 48 * HOUR)) },
          sources: i < 1500 ? ['following'] : ['trending'],
          stats: { views: 500n, likes: BigInt(i % 40), shares: 0n, hides: BigInt(i % 13 === 0 ? 3 : 0) },
        }),
      );
      const all = rankCandidates({ candidates, user: emptyUserFeatures, model: shippedModel, nowMs: NOW, limit: 0, debug: false });
      for (const limit of [1, 20, 61]) {
        const page = rankCandidates({ candidates, user: emptyUserFeatures, model: shippedModel, nowMs: NOW, limit, debug: false });
        expect(ids(candidates, page.picked)).toEqual(ids(candidates, all.picked.subarray(0, limit)));
      }
    }
  });
});

describe('diversityReach', () => {
  it('hands over limit + lookahead items at most', () => {
    expect(diversityReach(100_000, 20, 100)).toBe(120);
    expect(diversityReach(50, 20, 100)).toBe(50);
    expect(diversityReach(100_000, 100_000, 100)).toBe(100_000);
  });
});
