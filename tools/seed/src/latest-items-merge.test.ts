import { describe, expect, it } from 'vitest';
import { LatestItemsMerge } from './latest-items-merge.js';
import { Prng } from './prng.js';

describe('LatestItemsMerge', () => {
  it('matches sorting all items of the chosen authors', () => {
    const prng = new Prng(1);
    const authors = 30;
    const lists: number[][] = Array.from({ length: authors }, () => []);
    for (let item = 0; item < 5000; item++) lists[prng.int(0, authors - 1)]!.push(item);
    lists[3] = []; // an author without items
    const offsets = new Int32Array(authors + 1);
    lists.forEach((l, a) => (offsets[a + 1] = offsets[a]! + l.length));
    const items = Int32Array.from(lists.flat());
    const merge = new LatestItemsMerge(offsets, items);
    const out = new Int32Array(300);
    for (const chosen of [[0, 3, 5, 7], [1], [3], Array.from({ length: authors }, (_, a) => a)]) {
      const expected = chosen.flatMap((a) => lists[a]!).sort((x, y) => y - x).slice(0, 300);
      const n = merge.merge(chosen, 300, out);
      expect([...out.subarray(0, n)]).toEqual(expected);
    }
  });
});
