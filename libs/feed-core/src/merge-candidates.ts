// Cross-source merge of recall results: one candidate per item id, remembering every source
// that produced it (ranking boosts multi-source items and debug shows provenance).
import {
  candidateCreatedAtMs,
  candidateId,
  compareRecentFirst,
  type CandidateLike,
} from './candidate.js';

export interface SourceCandidates<C extends CandidateLike> {
  /** Source name, e.g. "following". */
  source: string;
  candidates: readonly C[];
}

/**
 * Dedupes candidates across sources by item id.
 * - `sources` of a merged candidate: the names of the sources that produced it, in the order
 *   the sources were given, followed by any names a candidate already listed itself.
 * - `recallScore`: the maximum over its occurrences; item and stats come from the first one.
 * - Ids in `exclude`, and candidates without an item id, are dropped.
 * - Order: most recent first, ties by id ascending; then capped at `limit`
 *   (use `Infinity` for no cap).
 * Input objects are never mutated; merged candidates are shallow copies (a protobuf-es
 * message stays a valid message of the same type).
 */
export function mergeCandidates<C extends CandidateLike>(
  bySource: ReadonlyArray<SourceCandidates<C>>,
  exclude: ReadonlySet<string>,
  limit: number,
): C[] {
  if (Number.isNaN(limit) || limit < 0) {
    throw new RangeError(`mergeCandidates: limit must be >= 0, got ${limit}`);
  }
  // Copies are made only for the candidates that survive the cap: recall may hand over
  // tens of thousands of candidates to keep a few thousand.
  const merged = new Map<string, MergeEntry<C>>();
  for (const { source, candidates } of bySource) {
    for (const c of candidates) {
      const id = candidateId(c);
      if (id === '' || exclude.has(id)) continue;
      const seen = merged.get(id);
      if (seen === undefined) {
        const sources = [source];
        addAll(sources, c.sources);
        merged.set(id, { first: c, id, ms: candidateCreatedAtMs(c), sources, recallScore: c.recallScore });
      } else {
        addAll(seen.sources, [source]);
        addAll(seen.sources, c.sources);
        if (c.recallScore > seen.recallScore) seen.recallScore = c.recallScore;
      }
    }
  }
  const entries = Array.from(merged.values());
  entries.sort((a, b) => compareRecentFirst(a.ms, a.id, b.ms, b.id));
  const count = Math.min(entries.length, limit);
  const out = new Array<C>(count);
  for (let i = 0; i < count; i++) {
    const { first, sources, recallScore } = entries[i]!;
    out[i] = { ...first, sources, recallScore };
  }
  return out;
}

interface MergeEntry<C> {
  first: C;
  id: string;
  ms: number;
  sources: string[];
  recallScore: number;
}

function addAll(into: string[], names: readonly string[]): void {
  for (const name of names) if (!into.includes(name)) into.push(name);
}
