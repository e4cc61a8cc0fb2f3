import type { ScoreBreakdown } from '@feedmesh/contracts';
import type { SkeletonSource } from '../pipeline/components.js';
import type { createRankingScorer } from '../scorers/ranking-scorer.js';
import type { createRecallSource } from './recall-source.js';

export interface RecallAndRankDeps {
  recall: ReturnType<typeof createRecallSource>;
  scorer: ReturnType<typeof createRankingScorer>;
}

/**
 * The candidate pipeline of a page that needs a fresh ranking (the session's first page, or its
 * window ran out): recall (fail-open: home timeline) → ranking (fail-open: recency). The ranked
 * answer becomes the session's window, unless a fallback produced it: then the next page tries
 * the real services again.
 */
export function createRecallAndRankSource({ recall, scorer }: RecallAndRankDeps): SkeletonSource {
  return {
    identifier: 'recall-and-rank',
    // The pipeline's selectors (unseen-first, shown-less-author) reorder what this source ranks,
    // before the window is stored with the session.
    ranksAfresh: true,
    serves: (page) => page.session.action !== 'replay',
    async fetch(page) {
      const { run, session } = page;
      const userId = run.query.userId;
      const exclude = session.action === 'replay' ? new Set<string>() : await session.served();
      const candidates = await recall.fetch(run, { userId, snapshotMs: session.snapshotMs, exclude });
      if (candidates.degradedReason) run.degradedReasons.push(candidates.degradedReason);
      const base = { maxTopUps: 2, candidateCount: candidates.count, sources: candidates.sources, recalled: candidates.block };
      if (candidates.count === 0) {
        return { ...base, entries: [], window: { kind: 'none' }, rankedBy: scorer.identifier, breakdowns: [], modelVersion: '' };
      }
      const scored = await scorer.score(run, { userId, block: candidates.block, snapshotMs: session.snapshotMs, limit: page.rankLimit });
      const ranked = scored.ranked;
      if (ranked === undefined) {
        return { ...base, entries: scored.entries, window: { kind: 'none' }, rankedBy: scored.rankedBy, breakdowns: [], modelVersion: '' };
      }
      return {
        ...base,
        entries: scored.entries,
        window:
          candidates.degradedReason === undefined
            ? {
                kind: 'ranked',
                window: {
                  block: ranked.block,
                  size: scored.entries.length,
                  final: ranked.final,
                  modelVersion: ranked.modelVersion,
                  ...(run.query.debug ? { breakdownsJson: JSON.stringify(ranked.breakdowns.map(plainBreakdown)) } : {}),
                },
              }
            : { kind: 'none' },
        rankedBy: scored.rankedBy,
        breakdowns: ranked.breakdowns,
        modelVersion: ranked.modelVersion,
      };
    },
  };
}

/** A breakdown without protobuf-es' type tags, as stored with a debug window. */
function plainBreakdown(b: ScoreBreakdown) {
  return {
    itemId: b.itemId,
    score: b.score,
    features: b.features.map((f) => ({ feature: f.feature, value: f.value, weight: f.weight, contribution: f.contribution })),
  };
}
