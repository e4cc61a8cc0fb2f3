import type { EntryFilter, FilterContext } from '../pipeline/components.js';
import type { SkeletonEntry } from '../pipeline/skeleton-entry.js';

export interface FilterResult {
  kept: SkeletonEntry[];
  /** `keptAt[k]` is the index in the input of `kept[k]` (to map a page back onto its window). */
  keptAt: number[];
  /** Filter identifier → entries it removed (the first filter that refuses an entry counts it). */
  removed: Record<string, SkeletonEntry[]>;
}

/** Applies the filters in order over the ranked entries (pure). */
export function applyFilters(entries: readonly SkeletonEntry[], filters: readonly EntryFilter[], context: FilterContext): FilterResult {
  const kept: SkeletonEntry[] = [];
  const keptAt: number[] = [];
  const removed: Record<string, SkeletonEntry[]> = {};
  for (const filter of filters) removed[filter.identifier] = [];
  entries.forEach((entry, i) => {
    const refusing = filters.find((f) => !f.keep(entry, context));
    if (refusing) removed[refusing.identifier]!.push(entry);
    else {
      kept.push(entry);
      keptAt.push(i);
    }
  });
  return { kept, keptAt, removed };
}
