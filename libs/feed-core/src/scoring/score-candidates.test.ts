import { create } from '@bufbuild/protobuf';
import { CandidateSchema, ItemKind, ItemRefSchema, ItemStatsSchema, type Candidate } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { emptyUserFeatures, type UserFeatures } from './feature.js';
import { defaultModelConfig, type ModelConfig } from './model-config.js';
import { modelFeatures, scoreCandidates } from './score-candidates.js';

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
    const model: ModelConfig = { ...defaultModelConfig, weights: { freshness: 1 } };
    const cs = [cand('old', 48), cand('new', 1), cand('mid', 10)];
    const { order, scores, featureNames } = scoreCandidates(cs, emptyUserFeatures, model, now);
    expect(ids(cs, order)).toEqual(['new', 'mid', 'old']);
    expect(scores[1]).toBeCloseTo(Math.pow(2, -1 / 24), 12);
    expect(featureNames).toEqual(['freshness']);
  });

  it('uses the user features', () => {
    const model: ModelConfig = { ...defaultModelConfig, weights: { 'author-affinity': 1, 'kind-preference': 0.5 } };
    const user: UserFeatures = { authorAffinity: new Map([['fav', 0.9]]), kindAffinity: new Map([[ItemKind.LIVE, 1]]) };
    const cs = [cand('x', 0, { author: 'other' }), cand('live', 0, { kind: ItemKind.LIVE }), cand('fav', 0, { author: 'fav' })];
    const { order, scores } = scoreCandidates(cs, user, model, now);
    expect(ids(cs, order)).toEqual(['fav', 'live', 'x']);
    expect(Array.from(scores)).toEqual([0, 0.5, 0.9]);
  });

  it('breaks ties by created_at desc, then id asc', () => {
    const model: ModelConfig = { ...defaultModelConfig, weights: { 'author-affinity': 1 } }; // all score 0
    const cs = [cand('b', 2), cand('c', 1), cand('a', 2), cand('d', 3)];
    expect(ids(cs, scoreCandidates(cs, emptyUserFeatures, model, now).order)).toEqual(['c', 'a', 'b', 'd']);
  });

  it('is deterministic whatever the input order', () => {
    const cs = Array.from({ length: 500 }, (_, i) =>
      cand(`item-${(i * 7919) % 500}`, i % 13, { author: `u${i % 5}`, likes: i % 4, views: i % 17, kind: (i % 3) + 1 }),
    );
    const user: UserFeatures = { authorAffinity: new Map([['u1', 0.5]]), kindAffinity: new Map([[ItemKind.VIDEO, 0.3]]) };
    const first = scoreCandidates(cs, user, defaultModelConfig, now);
    const again = scoreCandidates(cs, user, defaultModelConfig, now);
    expect(Array.from(again.order)).toEqual(Array.from(first.order));
    const reversed = [...cs].reverse();
    expect(ids(reversed, scoreCandidates(reversed, user, defaultModelConfig, now).order)).toEqual(ids(cs, first.order));
  });

  it('returns breakdowns whose contributions sum exactly to the score', () => {
    const cs = [cand('a', 3, { likes: 5, views: 40, sources: ['trending'] }), cand('b', 30, { author: 'fav' })];
    const user: UserFeatures = { authorAffinity: new Map([['fav', 0.7]]), kindAffinity: new Map([[ItemKind.ARTICLE, 0.2]]) };
    const { scores, breakdowns } = scoreCandidates(cs, user, defaultModelConfig, now, { debug: true });
    expect(breakdowns).toHaveLength(2);
    breakdowns!.forEach((b, i) => {
      expect(b.itemId).toBe(cs[i]!.item!.id);
      expect(b.score).toBe(scores[i]);
      expect(b.features.map((f) => f.feature)).toEqual(['freshness', 'engagement-rate', 'author-affinity', 'kind-preference', 'source-boost']);
      expect(b.features.reduce((sum, f) => sum + f.contribution, 0)).toBe(scores[i]);
      for (const f of b.features) {
        expect(f.contribution).toBe(f.value * f.weight);
        expect(f.weight).toBe(defaultModelConfig.weights[f.feature]);
        expect(f.value).toBeGreaterThanOrEqual(0);
        expect(f.value).toBeLessThanOrEqual(1);
      }
    });
  });

  it('omits breakdowns unless debug is set', () => {
    expect(scoreCandidates([cand('a', 1)], emptyUserFeatures, defaultModelConfig, now).breakdowns).toBeUndefined();
  });

  it('handles no candidates', () => {
    const r = scoreCandidates([], emptyUserFeatures, defaultModelConfig, now, { debug: true });
    expect(r.order).toHaveLength(0);
    expect(r.breakdowns).toEqual([]);
  });

  it('computes only the features the model weights, in registry order', () => {
    const model: ModelConfig = { ...defaultModelConfig, weights: { 'source-boost': 1, freshness: 2 } };
    expect(modelFeatures(model).map((f) => [f.feature.name, f.weight])).toEqual([
      ['freshness', 2],
      ['source-boost', 1],
    ]);
  });
});
