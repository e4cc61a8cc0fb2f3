import { describe, expect, it } from 'vitest';
import { rankComparator, rankOrder } from './rank-order.js';
import { rng } from '../../test/helpers.js';


function fixture(n: number, next: () => number, distinctScores: number) {
  const palette = Array.from({ length: distinctScores }, (_, k) => (k % 5 === 0 ? -next() : next()) * (k % 7 === 0 ? 1e-300 : 1));
  palette.push(0, -0);
  const scores = Float64Array.from({ length: n }, () => palette[Math.floor(next() * palette.length)]!);
  const createdAtMs = Array.from({ length: n }, () => 1_700_000_000_000 + Math.floor(next() * 4));
  const ids = new Uint8Array(n * 16);
  for (let i = 0; i < n; i++) ids[i * 16 + 15] = Math.floor(next() * 3); // many equal ids too
  return { scores, createdAtMs, ids };
}

const reference = ({ scores, createdAtMs, ids }: { scores: Float64Array; createdAtMs: ArrayLike<number>; ids: Uint8Array }) =>
  Array.from({ length: scores.length }, (_, i) => i).sort(rankComparator(scores, createdAtMs, ids));

describe('rankOrder', () => {
  it('is the prefix of the comparator sort, by selection and by radix sort, with ties at every level', () => {
    const next = rng(7);
    for (let round = 0; round < 150; round++) {
      const n = 1 + Math.floor(next() * 400);
      const f = fixture(n, next, 1 + Math.floor(next() * 40));
      const full = reference(f);
      for (const top of [n, n - 1, Math.ceil(n / 2), Math.floor(n / 5), 3, 1, 0]) {
        if (top < 0) continue;
        expect(rankOrder(f.scores, f.createdAtMs, f.ids, top).join(), `round ${round}, n ${n}, top ${top}`).toBe(full.slice(0, top).join());
      }
    }
  });

  it('orders 100k distinct scores like the comparator sort', () => {
    const next = rng(11);
    const n = 100_000;
    const f = { scores: Float64Array.from({ length: n }, () => next()), createdAtMs: new Uint32Array(n), ids: new Uint8Array(n * 16) };
    const full = reference(f);
    expect(Array.from(rankOrder(f.scores, f.createdAtMs, f.ids))).toEqual(full);
    expect(Array.from(rankOrder(f.scores, f.createdAtMs, f.ids, 150))).toEqual(full.slice(0, 150));
  });

  it('breaks score ties by created_at desc, then id bytes, then index', () => {
    const scores = new Float64Array([1, 1, 1, 1, 2]);
    const createdAtMs = [5, 9, 5, 5, 0];
    const ids = new Uint8Array(5 * 16);
    ids[0 * 16] = 2;
    ids[2 * 16] = 1;
    ids[3 * 16] = 2;
    expect(Array.from(rankOrder(scores, createdAtMs, ids))).toEqual([4, 1, 2, 0, 3]);
    expect(Array.from(rankOrder(scores, createdAtMs, ids, 1))).toEqual([4]);
  });

  it('handles no candidates', () => {
    expect(rankOrder(new Float64Array(0), [], new Uint8Array(0))).toHaveLength(0);
  });
});
