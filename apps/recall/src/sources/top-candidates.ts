import type { RecallCandidate } from '../recall-candidate.js';

/**
 * One candidate per item id (keeping the best recallScore), ordered newest first (ties by id),
 * capped at `quota`. A source that reads several zsets uses it to stay within its quota.
 */
export function topCandidates(candidates: readonly RecallCandidate[], quota: number): RecallCandidate[] {
  const byId = new Map<string, RecallCandidate>();
  for (const c of candidates) {
    const seen = byId.get(c.item.id);
    if (seen === undefined || c.recallScore > seen.recallScore) byId.set(c.item.id, c);
  }
  const unique = Array.from(byId.values());
  unique.sort((a, b) => b.item.createdAtMs - a.item.createdAtMs || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : 0));
  return unique.length > quota ? unique.slice(0, quota) : unique;
}
