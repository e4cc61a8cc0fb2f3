import { create } from '@bufbuild/protobuf';
import { CandidateSchema, ItemKind, type Candidate } from '@feedmesh/contracts';
import { columnsOfCandidates, rankOrder, type CandidateColumns } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { inNetworkOff, type DiversitySettings, type InNetworkSettings } from '../model/ranking-model.js';
import { createInNetworkSelector } from './in-network-selector.js';

const NOW = 1_750_000_000_000;
const MINUTE = 60_000;
const rule: InNetworkSettings = { share: 0.5, outOfNetworkShare: 0.25, freshMinutes: 60 };

function candidate(id: string, ageMinutes: number, sources: string[], authorId = `author-${id}`): Candidate {
  return create(CandidateSchema, {
    item: { id, kind: ItemKind.ARTICLE, authorId, createdAtMs: BigInt(NOW - ageMinutes * MINUTE) },
    sources,
  });
}

interface Setup {
  candidates: Candidate[];
  /** scores[i] of candidate i. */
  scores: number[];
}

/** No run limits: the rule alone. */
const noRunLimits: DiversitySettings = { maxSameKindRun: 1000, maxSameAuthorRun: 1000, lookahead: 100 };

/** Runs the selector over the best limit + lookahead of the score order, as rank-candidates does. */
function select({ candidates, scores }: Setup, settings: InNetworkSettings, limit = candidates.length, diversity = noRunLimits) {
  const columns: CandidateColumns = columnsOfCandidates(candidates);
  const s = Float64Array.from(scores);
  const order = rankOrder(s, columns.createdAtMs, columns.ids, Math.min(candidates.length, limit + diversity.lookahead));
  const selector = createInNetworkSelector({ columns, scores: s, settings, diversity, source: 'following', nowMs: NOW });
  const picked = selector.active ? selector.select(order, limit) : undefined;
  return { ids: Array.from(picked ?? [], (i) => candidates[i]!.item!.id), order, picked, active: selector.active };
}

const isIn = (c: Candidate) => c.sources.includes('following');

/** 40 old candidates, half in-network, scores descending with the index. */
function oldBlock(): Setup {
  const candidates = Array.from({ length: 40 }, (_, i) => candidate(`old${i}`, 600 + i, i % 2 === 0 ? ['following'] : ['trending']));
  return { candidates, scores: candidates.map((_, i) => 0.9 - i * 0.01) };
}

describe('in-network selector', () => {
  it('puts a fresh in-network post at position 0, even scored last and outside the reachable prefix', () => {
    const block = oldBlock();
    block.candidates.push(candidate('new', 0.1, ['following']));
    block.scores.push(0.1);
    const { ids, order } = select(block, rule, 5, { ...noRunLimits, lookahead: 5 });
    expect(Array.from(order, (i) => block.candidates[i]!.item!.id)).not.toContain('new'); // outside the prefix of 10
    expect(ids[0]).toBe('new');
    expect(new Set(ids).size).toBe(ids.length); // no duplicates
    expect(ids).toHaveLength(5);
  });

  it('orders fresh in-network posts newest first, ahead of older in-network ones; stale ones keep their score place', () => {
    const block = oldBlock();
    const extra = [candidate('f30', 30, ['following']), candidate('f5', 5, ['following', 'trending']), candidate('f59', 59, ['following']), candidate('t1', 1, ['trending']), candidate('f61', 61, ['following'])];
    block.candidates.push(...extra);
    block.scores.push(0.2, 0.1, 0.3, 0.05, 0.95);
    const { ids } = select(block, rule);
    const inNetwork = ids.filter((id) => isIn(block.candidates.find((c) => c.item!.id === id)!));
    expect(inNetwork.slice(0, 4)).toEqual(['f5', 'f30', 'f59', 'f61']); // f61 is past the window: score order (0.95, the best)
    expect(ids[0]).toBe('f5');
  });

  it('keeps the quota in every prefix: ≥ ⌈share·k⌉ in-network, ≥ ⌊outOfNetworkShare·k⌋ others, while any remain', () => {
    for (const settings of [rule, { share: 0.3, outOfNetworkShare: 0.6, freshMinutes: 0 }, { share: 1, outOfNetworkShare: 0, freshMinutes: 10 }, { share: 0.1, outOfNetworkShare: 0.1, freshMinutes: 60 }]) {
      // In-network candidates scored low, fresh ones among them: the quota, not the scores, places them.
      const candidates = Array.from({ length: 120 }, (_, i) => candidate(`c${i}`, i % 7 === 0 ? 3 : 500 + i, i % 3 === 0 ? ['following'] : ['trending']));
      const scores = candidates.map((c, i) => (isIn(c) ? 0.2 : 0.8) - i * 0.001);
      const { picked } = select({ candidates, scores }, settings, 100);
      const totalIn = candidates.filter(isIn).length;
      const totalOut = candidates.length - totalIn;
      let inCount = 0;
      for (let k = 1; k <= 100; k++) {
        if (isIn(candidates[picked![k - 1]!]!)) inCount++;
        expect(inCount, `prefix ${k}`).toBeGreaterThanOrEqual(Math.min(totalIn, Math.ceil(settings.share * k - 1e-9)));
        expect(k - inCount, `prefix ${k}`).toBeGreaterThanOrEqual(Math.min(totalOut, Math.floor(settings.outOfNetworkShare * k + 1e-9)));
      }
    }
  });

  it('between the quotas, the better score wins', () => {
    const block = oldBlock(); // alternating in/out, scores descending: the score order already meets the quota
    const { ids, order } = select(block, { share: 0.25, outOfNetworkShare: 0.25, freshMinutes: 0 });
    expect(ids).toEqual(Array.from(order, (i) => block.candidates[i]!.item!.id));
  });

  it('is not active when off, or when the block has no in-network source (diversity alone then)', () => {
    const block = oldBlock();
    block.candidates.push(candidate('new', 0.1, ['following']));
    block.scores.push(0.1);
    expect(select(block, inNetworkOff).active).toBe(false);
    const outside = { candidates: block.candidates.map((_, i) => candidate(`x${i}`, i === 40 ? 0 : 600, ['trending'])), scores: block.scores };
    expect(select(outside, rule).active).toBe(false);
  });

  it('takes every candidate once when all are ranked (limit 0)', () => {
    const block = oldBlock();
    block.candidates.push(candidate('new', 1, ['following']), candidate('new2', 2, ['trending']));
    block.scores.push(0.01, 0.02);
    const { ids } = select(block, rule);
    expect([...ids].sort()).toEqual(block.candidates.map((c) => c.item!.id).sort());
    expect(ids[0]).toBe('new');
  });

  it('applies the run limits inside the quota: no author more than maxSameAuthorRun in a row, and the quota still exact', () => {
    // 20 fresh posts in bursts of 5 per author (newest first would run 5 of one author), and
    // older in-network candidates of other kinds that plain diversity would pull forward.
    const fresh = Array.from({ length: 20 }, (_, k) => candidate(`f${k}`, 20 - k, ['following'], `burst-${Math.floor(k / 5)}`));
    const olderIn = Array.from({ length: 30 }, (_, k) => create(CandidateSchema, { item: { id: `o${k}`, kind: ItemKind.VIDEO, authorId: `old-${k % 7}`, createdAtMs: BigInt(NOW - (300 + k) * MINUTE) }, sources: ['following'] }));
    const outside = Array.from({ length: 30 }, (_, k) => candidate(`t${k}`, 400 + k, ['trending'], `stranger-${k % 9}`));
    const candidates = [...fresh, ...olderIn, ...outside];
    const scores = candidates.map((c) => (c.item!.id.startsWith('o') ? 0.7 : c.item!.id.startsWith('t') ? 0.5 : 0.6));
    const diversity: DiversitySettings = { maxSameKindRun: 3, maxSameAuthorRun: 2, lookahead: 100 };
    const { picked } = select({ candidates, scores }, rule, 40, diversity);
    const page = Array.from(picked!, (i) => candidates[i]!);
    expect(page[0]!.item!.id).toBe('f19');
    let authorRun = 0;
    let inCount = 0;
    page.forEach((c, k) => {
      authorRun = k > 0 && c.item!.authorId === page[k - 1]!.item!.authorId ? authorRun + 1 : 1;
      expect(authorRun, `position ${k}`).toBeLessThanOrEqual(2);
      if (isIn(c)) inCount++;
      expect(inCount, `prefix ${k + 1}`).toBeGreaterThanOrEqual(Math.ceil(0.5 * (k + 1)));
      expect(k + 1 - inCount, `prefix ${k + 1}`).toBeGreaterThanOrEqual(Math.floor(0.25 * (k + 1)));
    });
    for (const f of fresh) expect(page).toContain(f);
  });
});
