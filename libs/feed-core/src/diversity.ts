// Diversity re-rank: a feed of ten videos by one creator is worse than its scores say.
// Greedy: at each slot take the best remaining item that keeps every run within its limit;
// when none of the next `lookahead` items fits, take the best remaining one anyway, so no
// item is ever dropped and the output is a permutation of the input prefix.
// Remaining items live in an array-backed linked list, so each slot costs O(lookahead) and
// the whole pass O(limit · lookahead) — not O(n²) — even for 100k candidates. Only the first
// `limit + lookahead` items can ever be reached (each slot looks at most `lookahead` items past
// the head, and only the items already emitted have left the list before it), so the pass runs
// over that prefix only.
//
// The algorithm works on integer keys (`diversifyRuns`: kinds and authors as small ints).
// `diversifyColumns` is ranking's fast path over a CandidateColumns block (kind bytes, authors by
// dictionary entry); `diversify` is the generic form for arbitrary items and key functions. Both
// intern the reachable prefix's keys and run the same pass.
import type { CandidateColumns } from './candidate-block.js';

export interface DiversityRules {
  /** At most this many consecutive items of one kind (>= 1). */
  maxSameKindRun: number;
  /** At most this many consecutive items by one author (>= 1). */
  maxSameAuthorRun: number;
}

export interface DiversityKeys<T> {
  kindOf(item: T): unknown;
  authorOf(item: T): unknown;
}

export interface DiversifyOptions {
  /** Number of items to emit (default: all). Only the pages that will be served need it. */
  limit?: number;
  /** How far past the best remaining item to look for one that fits (default 100). */
  lookahead?: number;
}

export const defaultDiversityLookahead = 100;

/** How many of the best-ranked items diversity can reach when emitting `limit` of `total`. */
export function diversityReach(total: number, limit: number, lookahead: number): number {
  return Math.min(total, limit + lookahead);
}

function checkedOptions(n: number, rules: DiversityRules, options: DiversifyOptions): { limit: number; lookahead: number } {
  if (!(rules.maxSameKindRun >= 1) || !(rules.maxSameAuthorRun >= 1)) {
    throw new RangeError('diversify: run limits must be >= 1');
  }
  const limit = Math.min(n, options.limit ?? n);
  const lookahead = options.lookahead ?? defaultDiversityLookahead;
  if (!(limit >= 0) || !(lookahead >= 1)) throw new RangeError('diversify: limit must be >= 0, lookahead >= 1');
  return { limit, lookahead };
}

/**
 * Re-ranks positions 0..n-1 of a best-first list whose item at position p has kind `kinds[p]`
 * and author `authors[p]` (integers; equal means same). Returns the picked positions in order.
 * Only the reachable prefix (`diversityReach`) is read: handing over just that prefix's keys
 * gives the same result.
 */
export function diversifyRuns(
  kinds: ArrayLike<number>,
  authors: ArrayLike<number>,
  rules: DiversityRules,
  options: DiversifyOptions = {},
): Int32Array {
  const total = kinds.length;
  if (authors.length !== total) throw new RangeError('diversifyRuns: kinds and authors must be of one length');
  const { limit, lookahead } = checkedOptions(total, rules, options);
  const { maxSameKindRun, maxSameAuthorRun } = rules;
  const n = diversityReach(total, limit, lookahead);

  // next[p] is the position of the next remaining item after p; -1 ends the list.
  const next = new Int32Array(n);
  for (let p = 0; p < n; p++) next[p] = p + 1 < n ? p + 1 : -1;
  let head = n > 0 ? 0 : -1;

  const out = new Int32Array(limit);
  // No key equals -1.5: the first item starts both runs.
  let lastKind = -1.5;
  let lastAuthor = -1.5;
  let kindRun = 0;
  let authorRun = 0;

  for (let k = 0; k < limit; k++) {
    let pick = head;
    let pickPrev = -1;
    const kindBlocked = kindRun >= maxSameKindRun;
    const authorBlocked = authorRun >= maxSameAuthorRun;
    if (kindBlocked || authorBlocked) {
      for (let p = head, prev = -1, seen = 0; p !== -1 && seen < lookahead; prev = p, p = next[p]!, seen++) {
        if (!(kindBlocked && kinds[p] === lastKind) && !(authorBlocked && authors[p] === lastAuthor)) {
          pick = p;
          pickPrev = prev;
          break;
        }
      }
    }
    // Unlink the pick (when nothing fits, pick is still head and pickPrev -1).
    if (pickPrev === -1) head = next[pick]!;
    else next[pickPrev] = next[pick]!;

    const kind = kinds[pick]!;
    const author = authors[pick]!;
    kindRun = kind === lastKind ? kindRun + 1 : 1;
    authorRun = author === lastAuthor ? authorRun + 1 : 1;
    lastKind = kind;
    lastAuthor = author;
    out[k] = pick;
  }
  return out;
}

/**
 * Candidate i's author as a small integer, compared by name (two dictionary entries with one
 * name are one author), interned once per dictionary entry on first use.
 */
export function authorIdsOf(columns: CandidateColumns): (i: number) => number {
  const byEntry = new Int32Array(columns.authors.length).fill(-1);
  const byName = new Map<string, number>();
  return (i) => {
    const entry = columns.authorIndex[i]!;
    let id = byEntry[entry]!;
    if (id < 0) {
      const name = columns.authors[entry]!;
      id = byName.get(name) ?? byName.size;
      byName.set(name, id);
      byEntry[entry] = id;
    }
    return id;
  };
}

/**
 * Re-ranks candidates of a columnar block: `ranked` holds candidate indexes, best first (at least
 * the reachable prefix; more is not read). Kinds are the block's bytes; authors are compared by
 * name (two dictionary entries with one name are one author), interned once per dictionary entry
 * the prefix reaches. Returns the picked candidate indexes in order.
 */
export function diversifyColumns(columns: CandidateColumns, ranked: Int32Array, rules: DiversityRules, options: DiversifyOptions = {}): Int32Array {
  const { limit, lookahead } = checkedOptions(ranked.length, rules, options);
  const m = diversityReach(ranked.length, limit, lookahead);
  const kinds = new Uint8Array(m);
  const authors = new Int32Array(m);
  const authorOf = authorIdsOf(columns);
  for (let p = 0; p < m; p++) {
    const i = ranked[p]!;
    kinds[p] = columns.kinds[i]!;
    authors[p] = authorOf(i);
  }
  const positions = diversifyRuns(kinds, authors, rules, { limit, lookahead });
  const picked = new Int32Array(positions.length);
  for (let k = 0; k < positions.length; k++) picked[k] = ranked[positions[k]!]!;
  return picked;
}

/** Re-ranks `ranked` (best first). Deterministic; never mutates its input. */
export function diversify<T>(
  ranked: readonly T[],
  rules: DiversityRules,
  keys: DiversityKeys<T>,
  options: DiversifyOptions = {},
): T[] {
  const { limit, lookahead } = checkedOptions(ranked.length, rules, options);
  const n = diversityReach(ranked.length, limit, lookahead);
  const kinds = new Int32Array(n);
  const authors = new Int32Array(n);
  const kindIds = new Map<unknown, number>();
  const authorIds = new Map<unknown, number>();
  for (let p = 0; p < n; p++) {
    kinds[p] = intern(kindIds, keys.kindOf(ranked[p]!));
    authors[p] = intern(authorIds, keys.authorOf(ranked[p]!));
  }
  const picked = diversifyRuns(kinds, authors, rules, { limit, lookahead });
  return Array.from(picked, (p) => ranked[p]!);
}

function intern(ids: Map<unknown, number>, key: unknown): number {
  let id = ids.get(key);
  if (id === undefined) {
    id = ids.size;
    ids.set(key, id);
  }
  return id;
}
