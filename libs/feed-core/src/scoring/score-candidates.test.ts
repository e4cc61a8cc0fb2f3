import { create } from '@bufbuild/protobuf';
import { CandidateSchema, ItemKind, ItemRefSchema, ItemStatsSchema, type Candidate } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { emptyUserFeatures, type UserFeatures } from './feature.js';
import { exampleModel } from './example-model.fixture.js';
import type { ModelConfig } from './model-config.js';
import { compareIds, type CandidateLike } from '../candidate.js';
import { columnsOfCandidates } from './candidate-columns.js';
import { explainCandidate, modelFeatures, scoreCandidates, scoreColumns } from './score-candidates.js';
import { rng } from '../../test/helpers.js';

const now = 1_700_000_000_000;
const hour = 3_600_000;

function cand(id: string, ageHours: number, opts: { author?: string; kind?: ItemKind; likes?: number; views?: number; sources?: string[] } = {}): Candidate {
  return create(CandidateSchema, {
    item: create(ItemRefSchema, {
      id,
      kind: opts.kind ?? ItemKind.ARTICLE,
      authorId: opts.author ?? 'a',
      createdAtMs: BigInt(now - ageHours * hour),
    }),
    stats: create(ItemStatsSchema, { views: BigInt(opts.views ?? 0), likes: BigInt(opts.likes ?? 0) }),
    sources: opts.sources ?? ['following'],
  });
}

const ids = (cs: readonly Candidate[], order: Int32Array) => Array.from(order, (i) => cs[i]!.item!.id);

describe('scoreCandidates', () => {
  it('ranks by weighted features', () => {
    const model: ModelConfig = { ...exampleModel, weights: { freshness: 1 } };
    const cs = [cand('old', 48), cand('new', 1), cand('mid', 10)];
    const { order, scores, featureNames } = scoreCandidates(cs, emptyUserFeatures, model, now);
    expect(ids(cs, order)).toEqual(['new', 'mid', 'old']);
    expect(scores[1]).toBeCloseTo(Math.pow(2, -1 / 24), 12);
    expect(featureNames).toEqual(['freshness']);
  });

  it('uses the user features', () => {
    const model: ModelConfig = { ...exampleModel, weights: { 'author-affinity': 1, 'kind-preference': 0.5 }, followedAuthorAffinity: 0 };
    const user: UserFeatures = { authorAffinity: new Map([['fav', 0.9]]), kindAffinity: new Map([[ItemKind.LIVE, 1]]) };
    const cs = [cand('x', 0, { author: 'other' }), cand('live', 0, { kind: ItemKind.LIVE }), cand('fav', 0, { author: 'fav' })];
    const { order, scores } = scoreCandidates(cs, user, model, now);
    expect(ids(cs, order)).toEqual(['fav', 'live', 'x']);
    expect(Array.from(scores)).toEqual([0, 0.5, 0.9]);
  });

  it('breaks ties by created_at desc, then id asc', () => {
    const model: ModelConfig = { ...exampleModel, weights: { 'author-affinity': 1 } }; // all score 0
    const cs = [cand('b', 2), cand('c', 1), cand('a', 2), cand('d', 3)];
    expect(ids(cs, scoreCandidates(cs, emptyUserFeatures, model, now).order)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('is deterministic whatever the input order', () => {
    const cs = Array.from({ length: 500 }, (_, i) =>
      cand(`item-${(i * 7919) % 500}`, i % 13, { author: `u${i % 5}`, likes: i % 4, views: i % 17, kind: (i % 3) + 1 }),
    );
    const user: UserFeatures = { authorAffinity: new Map([['u1', 0.5]]), kindAffinity: new Map([[ItemKind.VIDEO, 0.3]]) };
    const first = scoreCandidates(cs, user, exampleModel, now);
    const again = scoreCandidates(cs, user, exampleModel, now);
    expect(Array.from(again.order)).toEqual(Array.from(first.order));
    const reversed = [...cs].reverse();
    expect(ids(reversed, scoreCandidates(reversed, user, exampleModel, now).order)).toEqual(ids(cs, first.order));
  });

  it('returns breakdowns whose contributions sum exactly to the score', () => {
    const cs = [cand('a', 3, { likes: 5, views: 40, sources: ['trending'] }), cand('b', 30, { author: 'fav' })];
    const user: UserFeatures = { authorAffinity: new Map([['fav', 0.7]]), kindAffinity: new Map([[ItemKind.ARTICLE, 0.2]]) };
    const { scores, breakdowns } = scoreCandidates(cs, user, exampleModel, now, { debug: true });
    expect(breakdowns).toHaveLength(2);
    breakdowns!.forEach((b, i) => {
      expect(b.itemId).toBe(cs[i]!.item!.id);
      expect(b.score).toBe(scores[i]);
      expect(b.features.map((f) => f.feature)).toEqual(['freshness', 'engagement-rate', 'author-affinity', 'kind-preference', 'source-boost']);
      expect(b.features.reduce((sum, f) => sum + f.contribution, 0)).toBe(scores[i]);
      for (const f of b.features) {
        expect(f.contribution).toBe(f.value * f.weight);
        expect(f.weight).toBe(exampleModel.weights[f.feature]);
        expect(f.value).toBeGreaterThanOrEqual(0);
        expect(f.value).toBeLessThanOrEqual(1);
      }
    });
  });

  it('omits breakdowns unless debug is set', () => {
    expect(scoreCandidates([cand('a', 1)], emptyUserFeatures, exampleModel, now).breakdowns).toBeUndefined();
  });

  it('handles no candidates', () => {
    const r = scoreCandidates([], emptyUserFeatures, exampleModel, now, { debug: true });
    expect(r.order).toHaveLength(0);
    expect(r.breakdowns).toEqual([]);
  });

  it('computes only the features the model weights, in registry order', () => {
    const model: ModelConfig = { ...exampleModel, weights: { 'source-boost': 1, freshness: 2 } };
    expect(modelFeatures(model).map((f) => [f.feature.name, f.weight])).toEqual([
      ['freshness', 2],
      ['source-boost', 1],
    ]);
  });

  it('scores and orders exactly as the per-candidate scorer it replaced', () => {
    const random = rng(3);
    const uuid = (i: number) => `00000000-0000-4000-8000-${(i % 3000).toString(16).padStart(12, '0')}`; // duplicates too
    for (const idOf of [uuid, (i: number) => `item-${i % 3000}`]) {
      const cs = Array.from({ length: 4000 }, (_, i) => {
        const views = Math.floor(random() * 500);
        return create(CandidateSchema, {
          item: { id: idOf(Math.floor(random() * 100_000)), kind: 1 + Math.floor(random() * 3), authorId: `u${Math.floor(random() * 50)}`, createdAtMs: BigInt(now - Math.floor(random() * 30) * hour) },
          stats: i % 10 === 0 ? undefined : { views: BigInt(views), likes: BigInt(Math.floor(random() * 20)), shares: BigInt(Math.floor(random() * 3)), hides: BigInt(Math.floor(random() * 2)) },
          sources: [['following'], ['trending'], ['following', 'trending'], ['fresh'], []][Math.floor(random() * 5)]!,
        });
      });
      const user: UserFeatures = { authorAffinity: new Map([['u1', 0.5], ['u2', 1], ['u3', 0.25]]), kindAffinity: new Map([[ItemKind.VIDEO, 0.3]]) };
      const model: ModelConfig = { ...exampleModel, engagementPriorViews: 40, engagementPriorMean: 0.125 }; // prior·mean/prior = mean exactly
      const old = referenceScores(cs, user, model, now);
      const scored = scoreCandidates(cs, user, model, now);
      expect(Array.from(scored.scores)).toEqual(Array.from(old.scores));
      expect(Array.from(scored.order)).toEqual(old.order);
      const columns = columnsOfCandidates(cs);
      expect(Array.from(scoreColumns(columns, user, model, now, { top: 150 }).order)).toEqual(old.order.slice(0, 150));
    }
  });

  it('explains one candidate with the exact floats of its score', () => {
    const cs = [cand('a', 3, { likes: 5, views: 40, sources: ['trending'] }), cand('b', 30, { author: 'fav', kind: ItemKind.LIVE })];
    const user: UserFeatures = { authorAffinity: new Map([['fav', 0.7]]), kindAffinity: new Map([[ItemKind.LIVE, 0.2]]) };
    const columns = columnsOfCandidates(cs);
    const { scores } = scoreColumns(columns, user, exampleModel, now);
    const b = explainCandidate(columns, 1, user, exampleModel, now, scores[1]!, 'b');
    expect(b.itemId).toBe('b');
    expect(b.features.reduce((sum, f) => sum + f.contribution, 0)).toBe(scores[1]);
    expect(b.features.find((f) => f.feature === 'author-affinity')?.value).toBe(0.7);
  });
});

/** The scorer before columns: every feature computed per candidate object, one comparator sort over id strings. */
function referenceScores(cs: readonly CandidateLike[], user: UserFeatures, model: ModelConfig, nowMs: number) {
  const num = (v: bigint | number) => Number(v);
  const decayPerMs = Math.LN2 / (model.freshnessHalfLifeHours * 3_600_000);
  const clamp = (x: number) => (x > 0 ? (x < 1 ? x : 1) : 0);
  const prior = model.engagementPriorViews;
  const compute: Record<string, (c: CandidateLike) => number> = {
    freshness: (c) => {
      const age = nowMs - num(c.item!.createdAtMs);
      return age <= 0 ? 1 : clamp(Math.exp(-age * decayPerMs));
    },
    'engagement-rate': (c) => {
      const s = c.stats;
      if (s === undefined) return clamp(model.engagementPriorMean);
      const seen = num(s.views) + prior;
      const penalty = Math.min(model.maxHidePenalty, num(s.hides) / seen);
      return clamp((num(s.likes) + 2 * num(s.shares) + prior * model.engagementPriorMean) / seen - penalty);
    },
    'author-affinity': (c) => {
      const a = clamp(user.authorAffinity.get(c.item!.authorId) ?? 0);
      return c.sources.includes(model.inNetworkSource) ? Math.max(a, model.followedAuthorAffinity) : a;
    },
    'kind-preference': (c) => clamp(user.kindAffinity.get(c.item!.kind) ?? 0),
    'source-boost': (c) => clamp(Math.max(0, ...c.sources.map((s) => model.sourceBoosts[s] ?? 0))),
  };
  const scores = cs.map((c) => {
    let score = 0;
    for (const name of ['freshness', 'engagement-rate', 'author-affinity', 'kind-preference', 'source-boost']) {
      const w = model.weights[name];
      if (w !== undefined) score = score + compute[name]!(c) * w;
    }
    return score;
  });
  const order = cs
    .map((_, i) => i)
    .sort((a, b) => {
      if (scores[a] !== scores[b]) return scores[a]! < scores[b]! ? 1 : -1;
      const ta = num(cs[a]!.item!.createdAtMs);
      const tb = num(cs[b]!.item!.createdAtMs);
      if (ta !== tb) return ta < tb ? 1 : -1;
      return compareIds(cs[a]!.item!.id, cs[b]!.item!.id) || a - b;
    });
  return { scores, order };
}

