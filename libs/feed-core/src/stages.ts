// Shared shapes of the named pipeline components the apps assemble (each implementation is
// its own file with a string `name`, used in spans, metrics and debug output).

/** Produces candidates for a request, e.g. "following" or "trending" in recall. */
export interface CandidateSource<Request, Candidate> {
  readonly name: string;
  /** Must stop promptly when `signal` aborts (the stage's budget ran out). */
  fetch(request: Request, signal: AbortSignal): Promise<Candidate[]>;
}

/** Drops items that must not be served (already seen, blocked author, deleted...). */
export interface Filter<Context, Item> {
  readonly name: string;
  keep(item: Item, context: Context): boolean;
}

/** Scores items; `scores[i]` belongs to `items[i]`. */
export interface Scorer<Context, Item> {
  readonly name: string;
  score(items: readonly Item[], context: Context): Float64Array;
}

/** Picks the final ordered page from ranked items (diversity rules, caps...). */
export interface Selector<Item> {
  readonly name: string;
  select(ranked: readonly Item[], limit: number): Item[];
}
