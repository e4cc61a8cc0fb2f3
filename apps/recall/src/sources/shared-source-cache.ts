import type { RecallSource } from '../recall-candidate.js';

/** A signal that never aborts: a shared fetch must not fail because one of its callers gave up. */
const never = new AbortController().signal;

/**
 * For sources whose answer is the same for every user ("trending", "fresh"): one fetch serves
 * every request for `ttlMs`, and concurrent requests share the fetch in flight. Without it each
 * request repeats the same Redis reads and Postgres queries, the largest share of recall's
 * per-request work after the user's own timeline. Failures are not kept. Callers still race the
 * shared fetch against their own timeout (runSource), so a slow backend times out as before.
 * The cached array is shared: consumers must not mutate it (mergeCandidates copies).
 */
export function sharedAcrossUsers(source: RecallSource, ttlMs: number, now: () => number = () => performance.now()): RecallSource {
  if (ttlMs <= 0) return source;
  let current: { promise: ReturnType<RecallSource['fetch']>; fetchedAt: number } | undefined;
  return {
    name: source.name,
    fetch(query) {
      const at = now();
      if (current === undefined || at - current.fetchedAt >= ttlMs) {
        const entry = { promise: source.fetch(query, never), fetchedAt: at };
        entry.promise.catch(() => {
          if (current === entry) current = undefined;
        });
        current = entry;
      }
      return current.promise;
    },
  };
}
