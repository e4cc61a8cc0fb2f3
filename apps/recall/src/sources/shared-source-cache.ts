import { CachedLoader, type CacheMetrics } from '@feedmesh/cache';
import type { RecallCandidate, RecallQuery, RecallSource } from '../recall-candidate.js';

/** A signal that never aborts: a shared fetch must not fail because one of its callers gave up. */
const never = new AbortController().signal;
/** The one entry of a source that answers alike for every user. */
const EVERYONE = 'everyone';

/**
 * For sources whose answer is the same for every user ("trending", "fresh"): one fetch serves
 * every request for `ttlMs`, and concurrent requests share the fetch in flight. Without it each
 * request repeats the same Redis reads and Postgres queries, the largest share of recall's
 * per-request work after the user's own timeline. Failures are not kept. Callers still race the
 * shared fetch against their own timeout (runSource), so a slow backend times out as before.
 * The cached array is shared: consumers must not mutate it (mergeCandidates copies).
 */
export function sharedAcrossUsers(source: RecallSource, ttlMs: number, options: { now?: () => number; metrics?: CacheMetrics } = {}): RecallSource {
  const { now, metrics } = options;
  if (ttlMs <= 0) return source;
  // The query of the request that missed: the loader calls `load` synchronously within load().
  let missed: RecallQuery | undefined;
  const shared = new CachedLoader<typeof EVERYONE, RecallCandidate[]>({ load: () => source.fetch(missed!, never), maxEntries: 1, ttlMs, now, metrics });
  return {
    name: source.name,
    fetch(query) {
      missed = query;
      // A source answers an array, never "not found" (undefined).
      const loading = shared.load(EVERYONE) as Promise<RecallCandidate[]>;
      missed = undefined;
      return loading;
    },
  };
}
