// Recall as a short pipeline: validate → run the sources in parallel (each fail-open under its
// own timeout) → merge and dedupe → hydrate stats (dropping deleted items) → respond.
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { HandlerContext } from '@connectrpc/connect';
import { SourceStatus, type RecallRequest, type RecallResponseSchema } from '@feedmesh/contracts';
import { mergeCandidates } from '@feedmesh/feed-core';
import { unavailable } from '@feedmesh/service-kit';
import type { Logger } from '@feedmesh/telemetry';
import type pg from 'pg';
import { hydrateStats, type HydratedCandidate } from './hydrate-stats.js';
import type { RecallCandidate, RecallSource } from './recall-candidate.js';
import type { RecallMetrics } from './recall-metrics.js';
import { runSource, type SourceRun } from './run-source.js';
import { validateRecallRequest } from './validate-recall-request.js';
import { withTimeout } from './with-timeout.js';

export interface ConfiguredSource {
  source: RecallSource;
  timeoutMs: number;
  /** Fault injection (RECALL_SOURCE_DELAY_MS_<NAME>); 0 in production. */
  injectedDelayMs: number;
}

export interface RecallHandlerDeps {
  sources: readonly ConfiguredSource[];
  pool: pg.Pool;
  hydrateTimeoutMs: number;
  metrics: RecallMetrics;
  logger: Logger;
}

type RecallResponseInit = MessageInitShape<typeof RecallResponseSchema>;

/** Time kept back from the sources (20 % of the deadline, at most this) for hydration, serialisation and the trip back. */
const MAX_RESERVE_MS = 100;

export function createRecallHandler(deps: RecallHandlerDeps) {
  const byName = new Map(deps.sources.map((s) => [s.source.name, s]));
  const names = [...byName.keys()];

  return async function recall(req: RecallRequest, ctx: HandlerContext): Promise<RecallResponseInit> {
    const request = validateRecallRequest(req, names);
    const remainingMs = ctx.timeoutMs();
    const reserveMs = remainingMs === undefined ? 0 : Math.min(MAX_RESERVE_MS, remainingMs * 0.2);

    // Skeleton: every selected source in parallel.
    const runs = await Promise.all(
      request.sources.map((name) => {
        const configured = byName.get(name)!;
        const timeoutMs = capped(configured.timeoutMs, remainingMs, reserveMs);
        return runSource(configured.source, { userId: request.userId }, { timeoutMs, injectedDelayMs: configured.injectedDelayMs }, ctx.signal);
      }),
    );
    for (const run of runs) deps.metrics.sourceFinished(run);
    if (runs.every((r) => r.status !== SourceStatus.OK)) {
      throw unavailable(`every recall source failed: ${runs.map((r) => `${r.name} ${SourceStatus[r.status]} (${r.error})`).join('; ')}`);
    }

    // A little over the limit, so that items dropped by hydration (deleted) leave the page full.
    const slack = Math.min(64, Math.ceil(request.limit * 0.05));
    const merged = mergeCandidates(
      runs.map((r) => ({ source: r.name, candidates: r.candidates })),
      request.exclude,
      request.limit + slack,
    );

    const hydrated = await hydrateFailOpen(merged, capped(deps.hydrateTimeoutMs, ctx.timeoutMs(), 20));
    return {
      candidates: hydrated.slice(0, request.limit).map(toProtoCandidate),
      sources: runs.map(toSourceStats),
    };
  };

  /**
   * Stats are features, not the candidates themselves: when Postgres is slow or down the
   * candidates go out without stats (ranking reads them as zero) rather than failing the feed.
   */
  async function hydrateFailOpen(merged: RecallCandidate[], timeoutMs: number): Promise<Array<RecallCandidate & Partial<HydratedCandidate>>> {
    if (merged.length === 0) return [];
    try {
      return await withTimeout(hydrateStats(deps.pool, merged), timeoutMs, 'stats hydration');
    } catch (error) {
      deps.logger.warn({ err: error, candidates: merged.length }, 'stats hydration failed; serving candidates without stats');
      return merged;
    }
  }
}

function capped(configuredMs: number, remainingMs: number | undefined, reserveMs: number): number {
  if (remainingMs === undefined) return configuredMs;
  return Math.max(1, Math.min(configuredMs, remainingMs - reserveMs));
}

function toProtoCandidate(c: RecallCandidate & Partial<HydratedCandidate>) {
  return {
    item: { id: c.item.id, kind: c.item.kind, authorId: c.item.authorId, createdAtMs: BigInt(Math.round(c.item.createdAtMs)) },
    sources: c.sources,
    stats: c.stats && {
      views: BigInt(c.stats.views),
      likes: BigInt(c.stats.likes),
      shares: BigInt(c.stats.shares),
      hides: BigInt(c.stats.hides),
    },
    recallScore: c.recallScore,
  };
}

function toSourceStats(run: SourceRun) {
  return {
    source: run.name,
    count: run.candidates.length,
    latencyMs: Math.round(run.latencyMs * 100) / 100,
    status: run.status,
    error: run.error,
  };
}
