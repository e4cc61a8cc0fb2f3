import type { CandidateLike, Filter } from '@feedmesh/feed-core';
import { afterSnapshotFilter } from './after-snapshot-filter.js';
import { alreadyServedFilter } from './already-served-filter.js';
import type { SessionFilterContext } from './filter-context.js';

export const sessionFilters: ReadonlyArray<Filter<SessionFilterContext, CandidateLike>> = [
  alreadyServedFilter,
  afterSnapshotFilter,
];

export interface FilterOutcome<C> {
  kept: C[];
  /** Filter name → candidates it dropped (debug and span attributes). */
  dropped: Record<string, number>;
}

/** Applies the filters in order; an item is counted against the first filter that drops it. */
export function applyFilters<C extends CandidateLike>(
  candidates: readonly C[],
  context: SessionFilterContext,
  filters: ReadonlyArray<Filter<SessionFilterContext, CandidateLike>> = sessionFilters,
): FilterOutcome<C> {
  const dropped: Record<string, number> = Object.fromEntries(filters.map((f) => [f.name, 0]));
  const kept = candidates.filter((c) => {
    const failing = filters.find((f) => !f.keep(c, context));
    if (failing) dropped[failing.name]! += 1;
    return failing === undefined;
  });
  return { kept, dropped };
}
