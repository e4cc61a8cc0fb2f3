import { describe, expect, it } from 'vitest';
import type { CandidateColumns } from './candidate-block.js';
import { diversify, diversifyColumns, diversifyRuns, diversityReach, type DiversityRules } from './diversity.js';
import { rng } from '../test/helpers.js';

interface Item {
  id: string;
  kind: string;
  author: string;
}

const keys = { kindOf: (i: Item) => i.kind, authorOf: (i: Item) => i.author };

function items(spec: string): Item[] {
  // "va1 vb2" → kind v, author a, id 1...
  return spec.split(' ').map((s) => ({ kind: s[0]!, author: s[1]!, id: s.slice(2) }));
}
const spell = (xs: Item[]) => xs.map((i) => `${i.kind}${i.author}${i.id}`).join(' ');

function longestRun(xs: Item[], key: (i: Item) => string): number {
  let best = 0;
  let run = 0;
  xs.forEach((x, i) => {
    run = i > 0 && key(xs[i - 1]!) === key(x) ? run + 1 : 1;
    best = Math.max(best, run);
  });
  return best;
}


describe('diversify', () => {
  const rules: DiversityRules = { maxSameKindRun: 2, maxSameAuthorRun: 1 };

  it('takes the best item that keeps the runs within limits', () => {
    const ranked = items('va1 va2 vb3 ab4 ac5 vd6');
    // va2 repeats author a; then va2 would make a third v and ab4 repeats author b.
    expect(spell(diversify(ranked, rules, keys))).toBe('va1 vb3 ac5 va2 ab4 vd6');
  });

  it('falls back to the best item when nothing fits, dropping nothing', () => {
    const ranked = items('va1 va2 va3 ab4');
    const out = diversify(ranked, rules, keys);
    expect(spell(out)).toBe('va1 ab4 va2 va3');
    expect(new Set(out)).toEqual(new Set(ranked));
  });

  it('leaves an already diverse list unchanged', () => {
    const ranked = items('va1 ab2 lc3 vd4 ae5');
    expect(diversify(ranked, rules, keys)).toEqual(ranked);
  });

  it('emits only `limit` items', () => {
    const ranked = items('va1 va2 vb3 ab4 ac5 vd6');
    expect(spell(diversify(ranked, rules, keys, { limit: 3 }))).toBe('va1 vb3 ac5');
    expect(diversify(ranked, rules, keys, { limit: 0 })).toEqual([]);
    expect(diversify(ranked, rules, keys, { limit: 100 })).toHaveLength(6);
  });

  it('looks only `lookahead` items ahead', () => {
    const ranked = items('va1 va2 va3 ab4');
    expect(spell(diversify(ranked, rules, keys, { lookahead: 2 }))).toBe('va1 va2 ab4 va3');
    expect(spell(diversify(ranked, rules, keys, { lookahead: 3 }))).toBe('va1 ab4 va2 va3');
  });

  it('never breaks a rule when a fitting item exists, on random inputs', () => {
    const next = rng(42);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(next() * 60);
      const ranked: Item[] = Array.from({ length: n }, (_, i) => ({
        id: String(i),
        kind: 'val'[Math.floor(next() * 3)]!,
        author: 'abcd'[Math.floor(next() * 4)]!,
      }));
      const r: DiversityRules = { maxSameKindRun: 1 + Math.floor(next() * 3), maxSameAuthorRun: 1 + Math.floor(next() * 2) };
      const out = diversify(ranked, r, keys, { lookahead: n });
      expect(new Set(out)).toEqual(new Set(ranked));
      // Replay: at each slot where the rule is broken, no remaining item could have fitted.
      const remaining = new Set(ranked);
      out.forEach((item, i) => {
        const kindRun = runBefore(out, i, (x) => x.kind);
        const authorRun = runBefore(out, i, (x) => x.author);
        const fits = (x: Item) =>
          !(kindRun >= r.maxSameKindRun && x.kind === out[i - 1]?.kind) &&
          !(authorRun >= r.maxSameAuthorRun && x.author === out[i - 1]?.author);
        if (!fits(item)) expect([...remaining].some(fits)).toBe(false);
        else {
          // ...and it took the best fitting one.
          const best = ranked.find((x) => remaining.has(x) && fits(x));
          expect(item).toBe(best);
        }
        remaining.delete(item);
      });
    }
  });

  it('is deterministic and does not mutate its input', () => {
    const ranked = items('va1 va2 vb3 ab4 ac5 vd6 va7 va8');
    const copy = [...ranked];
    expect(diversify(ranked, rules, keys)).toEqual(diversify(ranked, rules, keys));
    expect(ranked).toEqual(copy);
  });

  it('rejects run limits below 1', () => {
    expect(() => diversify([], { maxSameKindRun: 0, maxSameAuthorRun: 1 }, keys)).toThrow(RangeError);
  });

  it('respects both limits on a large skewed input', () => {
    const ranked: Item[] = Array.from({ length: 5000 }, (_, i) => ({
      id: String(i),
      kind: i % 5 < 3 ? 'v' : 'a',
      author: `u${i % 7}`,
    }));
    const out = diversify(ranked, { maxSameKindRun: 2, maxSameAuthorRun: 1 }, keys);
    expect(longestRun(ranked, (x) => x.kind)).toBe(3);
    // 60 % are videos, so the tail runs out of articles to interleave: only the head is checked.
    expect(longestRun(out.slice(0, 4000), (x) => x.kind)).toBeLessThanOrEqual(2);
    expect(longestRun(out, (x) => x.author)).toBe(1);
  });
});

describe('diversifyColumns', () => {
  const rules: DiversityRules = { maxSameKindRun: 2, maxSameAuthorRun: 1 };
  // Candidates 0..5 — kinds v=1 a=2; the dictionary names author "a" twice (entries 0 and 3).
  const columns = {
    count: 6,
    kinds: new Uint8Array([1, 1, 1, 2, 2, 1]),
    authors: ['a', 'b', 'c', 'a', 'd'],
    authorIndex: [0, 3, 1, 1, 2, 4],
  } as unknown as CandidateColumns;

  it('re-ranks candidate indexes by kind bytes and author names', () => {
    // In score order 5, 4, ... reversed input: ranked holds candidate indexes, not positions.
    expect(Array.from(diversifyColumns(columns, Int32Array.from([0, 1, 2, 3, 4, 5]), rules))).toEqual([0, 2, 4, 1, 3, 5]);
    const ranked = Int32Array.from([5, 4, 3, 2, 1, 0]);
    const items = Array.from(ranked, (i) => ({ id: String(i), kind: String(columns.kinds[i]), author: columns.authors[columns.authorIndex[i]!]! }));
    expect(Array.from(diversifyColumns(columns, ranked, rules, { limit: 4, lookahead: 3 }))).toEqual(
      diversify(items, rules, keys, { limit: 4, lookahead: 3 }).map((x) => Number(x.id)),
    );
  });
});

describe('diversifyRuns', () => {
  const rules: DiversityRules = { maxSameKindRun: 2, maxSameAuthorRun: 1 };

  it('re-ranks exactly as the per-item pass it replaced, and so does diversify', () => {
    const next = rng(9);
    for (let round = 0; round < 200; round++) {
      const n = 1 + Math.floor(next() * 80);
      const ranked: Item[] = Array.from({ length: n }, (_, i) => ({ id: String(i), kind: 'val'[Math.floor(next() * 3)]!, author: 'abcd'[Math.floor(next() * 4)]! }));
      const r: DiversityRules = { maxSameKindRun: 1 + Math.floor(next() * 3), maxSameAuthorRun: 1 + Math.floor(next() * 2) };
      const limit = Math.floor(next() * (n + 1));
      const lookahead = 1 + Math.floor(next() * 10);
      const kinds = Uint8Array.from(ranked, (x) => x.kind.charCodeAt(0));
      const authors = Int32Array.from(ranked, (x) => x.author.charCodeAt(0));
      const picked = diversifyRuns(kinds, authors, r, { limit, lookahead });
      const expected = referenceDiversify(ranked, r, limit, lookahead);
      expect(Array.from(picked, (p) => ranked[p]!)).toEqual(expected);
      expect(diversify(ranked, r, keys, { limit, lookahead })).toEqual(expected);
      // Only the reachable prefix is read: its keys alone give the same picks.
      const reach = diversityReach(n, limit, lookahead);
      expect(Array.from(diversifyRuns(kinds.subarray(0, reach), authors.subarray(0, reach), r, { limit, lookahead }))).toEqual(Array.from(picked));
    }
  });

  it('takes the best fitting position', () => {
    // v a, v a, v b, a b, a c, v d (kinds v=1 a=2; authors a..d = 0..3)
    const picked = diversifyRuns([1, 1, 1, 2, 2, 1], [0, 0, 1, 1, 2, 3], rules);
    expect(Array.from(picked)).toEqual([0, 2, 4, 1, 3, 5]);
    expect(Array.from(diversifyRuns([1, 1, 1, 2, 2, 1], [0, 0, 1, 1, 2, 3], rules, { limit: 3 }))).toEqual([0, 2, 4]);
  });

  it('rejects keys of different lengths and run limits below 1', () => {
    expect(() => diversifyRuns([1, 2], [1], rules)).toThrow(RangeError);
    expect(() => diversifyRuns([], [], { maxSameKindRun: 1, maxSameAuthorRun: 0 })).toThrow(RangeError);
  });
});

function runBefore(xs: Item[], i: number, key: (x: Item) => string): number {
  let run = 0;
  for (let j = i - 1; j >= 0 && key(xs[j]!) === key(xs[i - 1]!); j--) run++;
  return run;
}

/** The pass before integer keys: key closures per item, the same linked list. */
function referenceDiversify(ranked: readonly Item[], rules: DiversityRules, limit: number, lookahead: number): Item[] {
  const n = ranked.length;
  const next = Array.from({ length: n }, (_, i) => (i + 1 < n ? i + 1 : -1));
  let head = n > 0 ? 0 : -1;
  const out: Item[] = [];
  let lastKind: string | undefined;
  let lastAuthor: string | undefined;
  let kindRun = 0;
  let authorRun = 0;
  while (out.length < Math.min(n, limit)) {
    let pick = head;
    let pickPrev = -1;
    for (let i = head, prev = -1, seen = 0; i !== -1 && seen < lookahead; prev = i, i = next[i]!, seen++) {
      const item = ranked[i]!;
      if (!(kindRun >= rules.maxSameKindRun && item.kind === lastKind) && !(authorRun >= rules.maxSameAuthorRun && item.author === lastAuthor)) {
        pick = i;
        pickPrev = prev;
        break;
      }
    }
    if (pickPrev === -1) head = next[pick]!;
    else next[pickPrev] = next[pick]!;
    const item = ranked[pick]!;
    kindRun = item.kind === lastKind ? kindRun + 1 : 1;
    authorRun = item.author === lastAuthor ? authorRun + 1 : 1;
    lastKind = item.kind;
    lastAuthor = item.author;
    out.push(item);
  }
  return out;
}
