// Diversity re-rank: a feed of ten videos by one creator is worse than its scores say.
// Greedy: at each slot take the best remaining item that keeps every run within its limit;
// when none of the next `lookahead` items fits, take the best remaining one anyway, so no
// item is ever dropped and the output is a permutation of the input prefix.
// Remaining items live in an array-backed linked list, so each slot costs O(lookahead) and
// the whole pass O(limit · lookahead) — not O(n²) — even for 100k candidates.

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

/** Re-ranks `ranked` (best first). Deterministic; never mutates its input. */
export function diversify<T>(
  ranked: readonly T[],
  rules: DiversityRules,
  keys: DiversityKeys<T>,
  options: DiversifyOptions = {},
): T[] {
  const { maxSameKindRun, maxSameAuthorRun } = rules;
  if (!(maxSameKindRun >= 1) || !(maxSameAuthorRun >= 1)) {
    throw new RangeError('diversify: run limits must be >= 1');
  }
  const n = ranked.length;
  const limit = Math.min(n, options.limit ?? n);
  const lookahead = options.lookahead ?? defaultDiversityLookahead;
  if (!(limit >= 0) || !(lookahead >= 1)) throw new RangeError('diversify: limit must be >= 0, lookahead >= 1');

  // next[i] is the index of the next remaining item after i; -1 ends the list. Only the
  // first `limit + lookahead` items can ever be reached, so keys are read lazily.
  const next = new Int32Array(n);
  for (let i = 0; i < n; i++) next[i] = i + 1 < n ? i + 1 : -1;
  let head = n > 0 ? 0 : -1;

  const out: T[] = [];
  let lastKind: unknown = undefined;
  let lastAuthor: unknown = undefined;
  let kindRun = 0;
  let authorRun = 0;

  while (out.length < limit) {
    let pick = head;
    let pickPrev = -1;
    for (let i = head, prev = -1, seen = 0; i !== -1 && seen < lookahead; prev = i, i = next[i]!, seen++) {
      const item = ranked[i]!;
      const kindFull = kindRun >= maxSameKindRun && keys.kindOf(item) === lastKind;
      const authorFull = authorRun >= maxSameAuthorRun && keys.authorOf(item) === lastAuthor;
      if (!kindFull && !authorFull) {
        pick = i;
        pickPrev = prev;
        break;
      }
    }
    // Unlink the pick (when nothing fits, pick is still head and pickPrev -1).
    if (pickPrev === -1) head = next[pick]!;
    else next[pickPrev] = next[pick]!;

    const item = ranked[pick]!;
    const kind = keys.kindOf(item);
    const author = keys.authorOf(item);
    kindRun = kind === lastKind ? kindRun + 1 : 1;
    authorRun = author === lastAuthor ? authorRun + 1 : 1;
    lastKind = kind;
    lastAuthor = author;
    out.push(item);
  }
  return out;
}
