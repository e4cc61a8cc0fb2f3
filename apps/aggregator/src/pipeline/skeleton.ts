// Stage 1: recall + rank → the ordered ids of the session's remaining feed, with scores and
// sources, minus already-served items and items newer than the session snapshot.
import { create } from '@bufbuild/protobuf';
import {
  SourceStatsSchema,
  SourceStatus,
  type Candidate,
  type ScoreBreakdown,
  type SourceStats,
} from '@feedmesh/contracts';
import {
  cardKindFromItemKind,
  toNumber,
  type CandidateSource,
  type StageBudgets,
} from '@feedmesh/feed-core';
import { unavailable } from '@feedmesh/service-kit';
import type { FeedDownstreams } from '../downstream/feed-downstreams.js';
import { failureCode } from '../downstream/failure-code.js';
import type { TimelineFallbackRequest } from '../downstream/home-timeline-fallback.js';
import { applyFilters } from '../filters/session-filters.js';
import { recencyFallbackSelector } from '../selectors/recency-fallback-selector.js';
import type { SkeletonEntry } from './skeleton-entry.js';
import { timed, type StageTimingRecord } from './stage-timing.js';

export interface SkeletonRequest {
  userId: string;
  served: ReadonlySet<string>;
  snapshotMs: number;
  /** Candidates asked of recall. */
  recallLimit: number;
  /** Ranked entries wanted: the page, its top-up reserve and one more to know if more exist. */
  rankLimit: number;
  debug: boolean;
  budgets: StageBudgets;
}

export interface SkeletonDeps {
  downstreams: FeedDownstreams;
  recallFallback: CandidateSource<TimelineFallbackRequest, Candidate>;
}

export interface Skeleton {
  entries: SkeletonEntry[];
  /** Candidates recall returned, and how many each session filter dropped. */
  candidateCount: number;
  dropped: Record<string, number>;
  sources: SourceStats[];
  breakdowns: ScoreBreakdown[];
  modelVersion: string;
  /** "ranking: unavailable"-style reasons; empty when every step answered. */
  degradedReasons: string[];
  ranked: 'model' | 'recency-fallback';
}

export async function skeleton(req: SkeletonRequest, deps: SkeletonDeps, timings: StageTimingRecord[]): Promise<Skeleton> {
  const degradedReasons: string[] = [];
  const recalled = await timed(timings, 'recall', req.budgets.recallMs, () => recallCandidates(req, deps, degradedReasons));
  const { kept, dropped } = applyFilters(recalled.candidates, { served: req.served, snapshotMs: req.snapshotMs });
  const base = { candidateCount: recalled.candidates.length, dropped, sources: recalled.sources, degradedReasons };
  if (kept.length === 0) return { ...base, entries: [], breakdowns: [], modelVersion: '', ranked: 'model' };

  try {
    const ranked = await timed(timings, 'ranking', req.budgets.rankingMs, () =>
      deps.downstreams.rank(
        { userId: req.userId, candidates: kept, limit: req.rankLimit, debug: req.debug, nowMs: BigInt(req.snapshotMs) },
        req.budgets.rankingMs,
      ),
    );
    const entries = dedupe(
      ranked.items.flatMap((r) => (r.item ? toEntry(r.item, r.score, r.sources) : [])),
    );
    return { ...base, entries, breakdowns: ranked.breakdowns, modelVersion: ranked.modelVersion, ranked: 'model' };
  } catch (error) {
    degradedReasons.push(`ranking: ${failureCode(error)}`);
    const entries = dedupe(
      recencyFallbackSelector.select(kept, req.rankLimit).flatMap((c) => (c.item ? toEntry(c.item, 0, c.sources) : [])),
    );
    return { ...base, entries, breakdowns: [], modelVersion: '', ranked: 'recency-fallback' };
  }
}

interface Recalled {
  candidates: Candidate[];
  sources: SourceStats[];
}

/**
 * Recall, or — when recall fails or every one of its sources failed — the user's home
 * timeline from Redis. Only when both have nothing is the request Unavailable.
 */
async function recallCandidates(req: SkeletonRequest, deps: SkeletonDeps, degradedReasons: string[]): Promise<Recalled> {
  let reason: string;
  let recallSources: SourceStats[] = [];
  try {
    const response = await deps.downstreams.recall(
      { userId: req.userId, limit: req.recallLimit, excludeIds: [...req.served] },
      req.budgets.recallMs,
    );
    // A source that failed alone is recall's business (it fails open and reports it per
    // source, shown in debug); only a recall with nothing at all calls for the fallback.
    const failedSources = response.sources.filter((s) => s.status !== SourceStatus.OK);
    if (response.candidates.length > 0 || failedSources.length < response.sources.length) {
      return { candidates: response.candidates, sources: response.sources };
    }
    reason = 'recall: all_sources_failed';
    recallSources = response.sources;
  } catch (error) {
    reason = `recall: ${failureCode(error)}`;
  }
  degradedReasons.push(reason);

  const started = performance.now();
  const fallback = deps.recallFallback;
  let candidates: Candidate[];
  try {
    candidates = await fallback.fetch(
      { userId: req.userId, snapshotMs: req.snapshotMs, limit: req.recallLimit },
      AbortSignal.timeout(Math.max(1, Math.ceil(req.budgets.recallMs))),
    );
  } catch (error) {
    throw unavailable(`${reason}, and the ${fallback.name} failed too: ${(error as Error).message}`);
  }
  if (candidates.length === 0) throw unavailable(`${reason}, and the ${fallback.name} has no items for this user`);
  const stats = create(SourceStatsSchema, {
    source: fallback.name,
    count: candidates.length,
    latencyMs: performance.now() - started,
    status: SourceStatus.OK,
  });
  return { candidates, sources: [...recallSources, stats] };
}

function toEntry(
  item: { id: string; kind: number; authorId: string; createdAtMs: bigint | number },
  score: number,
  sources: readonly string[],
): SkeletonEntry[] {
  const kind = cardKindFromItemKind(item.kind);
  if (kind === undefined || item.id === '') return [];
  return [{ id: item.id, kind, authorId: item.authorId, createdAtMs: toNumber(item.createdAtMs), score, sources: [...sources] }];
}

function dedupe(entries: SkeletonEntry[]): SkeletonEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => !seen.has(e.id) && seen.add(e.id));
}
