// Recall as a short pipeline: validate → run the sources in parallel (each fail-open under its
// own timeout) → drop what the session must not see (excluded ids, items after its snapshot) →
// merge and dedupe → hydrate item records (dropping deleted items) → respond, as v1 nested
// Candidates (Recall) or one columnar CandidateBlock (RecallBlock, the page path).
import { create, toBinary, type MessageInitShape } from '@bufbuild/protobuf';
import type { HandlerContext } from '@connectrpc/connect';
import {
  CandidateBlockSchema,
  SourceStatus,
  type RecallBlockRequest,
  type RecallBlockResponseSchema,
  type RecallRequest,
  type RecallResponseSchema,
} from '@feedmesh/contracts';
import { CandidateBlockBuilder, mergeCandidates } from '@feedmesh/feed-core';
import { deadlineOf, unavailable, withDeadline } from '@feedmesh/service-kit';
import type { ReadModel, UserReadModel } from '@feedmesh/storage';
import type { Logger } from '@feedmesh/telemetry';
import { hydrateRecords, type HydratedCandidate } from './hydrate-records.js';
import type { RecallCandidate, RecallSource } from './recall-candidate.js';
import type { RecallMetrics } from './recall-metrics.js';
import { runSource, type SourceRun } from './run-source.js';
import { validateRecallRequest } from './request/validate-recall-request.js';

export interface ConfiguredSource {
  source: RecallSource;
  timeoutMs: number;
  /** Fault injection (RECALL_SOURCE_DELAY_MS_<NAME>); 0 in production. */
  injectedDelayMs: number;
}

export interface RecallServiceDeps {
  sources: readonly ConfiguredSource[];
  readModel: ReadModel;
  hydrateTimeoutMs: number;
  metrics: RecallMetrics;
  logger: Logger;
}

/** Time kept back from the sources (20 % of the deadline, at most this) for hydration, serialisation and the trip back. */
const MAX_RESERVE_MS = 100;

interface Recalled {
  candidates: Array<RecallCandidate & Partial<HydratedCandidate>>;
  runs: SourceRun[];
}

export function createRecallService(deps: RecallServiceDeps) {
  const byName = new Map(deps.sources.map((s) => [s.source.name, s]));
  const names = [...byName.keys()];

  async function recalled(req: RecallRequest | RecallBlockRequest, ctx: HandlerContext): Promise<Recalled> {
    const request = validateRecallRequest(req, names);
    const deadline = deadlineOf(ctx);
    const remainingMs = deadline.remaining();
    const reserveMs = deadline.share(0.2, MAX_RESERVE_MS);
    let user: Promise<UserReadModel | undefined> | undefined;
    const query = { userId: request.userId, user: () => (user ??= deps.readModel.user(request.userId)) };

    // Skeleton: every selected source in parallel.
    const runs = await Promise.all(
      request.sources.map((name) => {
        const configured = byName.get(name)!;
        const timeoutMs = capped(configured.timeoutMs, remainingMs, reserveMs);
        return runSource(configured.source, query, { timeoutMs, injectedDelayMs: configured.injectedDelayMs }, deadline.signal);
      }),
    );
    for (const run of runs) deps.metrics.sourceFinished(run);
    if (runs.every((r) => r.status !== SourceStatus.OK)) {
      // The caller reads "every recall source is unavailable"; which failed how goes to the log.
      throw unavailable(`every recall source failed: ${runs.map((r) => `${r.name} ${SourceStatus[r.status]} (${r.error})`).join('; ')}`, {
        component: 'every recall source',
      });
    }
    const bound = request.createdBeforeMs;
    // A little over the limit, so that items dropped by hydration (deleted) leave the page full.
    const slack = Math.min(64, Math.ceil(request.limit * 0.05));
    const merged = mergeCandidates(
      runs.map((r) => ({ source: r.name, candidates: bound === undefined ? r.candidates : r.candidates.filter((c) => c.item.createdAtMs <= bound) })),
      request.exclude,
      request.limit + slack,
    );
    const hydrated = await hydrateFailOpen(merged, capped(deps.hydrateTimeoutMs, deadline.remaining(), 20));
    return { candidates: hydrated.slice(0, request.limit), runs };
  }

  /**
   * Counters are features, not the candidates themselves: when the read model (Redis, and
   * Postgres behind it) is slow or down, the candidates go out without them (ranking reads
   * zeros) rather than failing the feed.
   */
  async function hydrateFailOpen(merged: RecallCandidate[], timeoutMs: number): Promise<Array<RecallCandidate & Partial<HydratedCandidate>>> {
    if (merged.length === 0) return [];
    try {
      return await withDeadline(hydrateRecords(deps.readModel, merged), { timeoutMs }, 'item record hydration');
    } catch (error) {
      deps.logger.warn({ err: error, candidates: merged.length }, 'item record hydration failed; serving candidates without counters');
      return merged;
    }
  }

  return {
    async recall(req: RecallRequest, ctx: HandlerContext): Promise<MessageInitShape<typeof RecallResponseSchema>> {
      const { candidates, runs } = await recalled(req, ctx);
      return { candidates: candidates.map(toProtoCandidate), sources: runs.map(toSourceStats) };
    },

    async recallBlock(req: RecallBlockRequest, ctx: HandlerContext): Promise<MessageInitShape<typeof RecallBlockResponseSchema>> {
      const { candidates, runs } = await recalled(req, ctx);
      const block = new CandidateBlockBuilder(candidates.length, runs.map((r) => r.name));
      for (const c of candidates) {
        const { item, stats } = c;
        block.add({
          id: item.id,
          kind: item.kind,
          authorId: item.authorId,
          createdAtMs: item.createdAtMs,
          views: stats?.views,
          likes: stats?.likes,
          shares: stats?.shares,
          hides: stats?.hides,
          sources: c.sources,
          recallScore: c.recallScore,
        });
      }
      return {
        candidates: toBinary(CandidateBlockSchema, create(CandidateBlockSchema, block.build())),
        count: block.count,
        sources: runs.map(toSourceStats),
      };
    },
  };
}

/** A step's own timeout, within what the call has left after `reserveMs` (Infinity left: the step's own). */
function capped(configuredMs: number, remainingMs: number, reserveMs: number): number {
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
