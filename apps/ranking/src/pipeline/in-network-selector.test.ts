import { create } from '@bufbuild/protobuf';
import { CandidateSchema, ItemKind, type Candidate } from '@feedmesh/contracts';
import { columnsOfCandidates, rankOrder, type CandidateColumns } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { inNetworkOff, type InNetworkSettings } from '../model/ranking-model.js';
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

/** Runs the selector over the best `reach` of the score order, as rank-candidates does. */
function select({ candidates, scores }: Setup, settings: InNetworkSettings, reach = candidates.length) {
  const columns: CandidateColumns = columnsOfCandidates(candidates);
  const s = Float64Array.from(scores);
  const order = rankOrder(s, columns.createdAtMs, columns.ids, reach);
  const picked = createInNetworkSelector({ columns, scores: s, settings, source: 'following', nowMs: NOW }).select(order);
  return { ids: Array.from(picked, (i) => candidates[i]!.item!.id), order, picked };
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
    const { ids } = select(block, rule, 25);
    expect(ids[0]).toBe('new');
    expect(new Set(ids).size).toBe(ids.length); // no duplicates
    expect(ids).toHaveLength(26); // the prefix of 25 plus the fresh candidate from outside it
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
      const { picked } = select({ candidates, scores }, settings);
      const totalIn = candidates.filter(isIn).length;
      const totalOut = candidates.length - totalIn;
      let inCount = 0;
      for (let k = 1; k <= 100; k++) {
        if (isIn(candidates[picked[k - 1]!]!)) inCount++;
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

  it('is the score order itself when off, or when the block has no in-network source', () => {
    const block = oldBlock();
    block.candidates.push(candidate('new', 0.1, ['following']));
    block.scores.push(0.1);
    const off = select(block, inNetworkOff);
    expect(off.picked).toBe(off.order);
    const outside = { candidates: block.candidates.map((_, i) => candidate(`x${i}`, i === 40 ? 0 : 600, ['trending'])), scores: block.scores };
    const none = select(outside, rule);
    expect(none.picked).toBe(none.order);
  });

  it('takes every candidate once when all are ranked (limit 0)', () => {
    const block = oldBlock();
    block.candidates.push(candidate('new', 1, ['following']), candidate('new2', 2, ['trending']));
    block.scores.push(0.01, 0.02);
    const { ids } = select(block, rule);
    expect([...ids].sort()).toEqual(block.candidates.map((c) => c.item!.id).sort());
    expect(ids[0]).toBe('new');
  });
});
