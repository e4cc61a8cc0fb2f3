// ExplainFeedItem: "why am I seeing this" (or not). It runs the feed's own session and skeleton
// stages (build-skeleton.ts, the code a page runs) with debug on and commits nothing, then reads
// the item's way through them: recalled by which sources, ranked where by score and where after
// the ranking's selectors, moved by the feed's selectors, each filter's verdict, and its page.
import { create, fromBinary, type MessageInitShape } from '@bufbuild/protobuf';
import { CandidateBlockSchema, ExplainOutcome, ScoreBreakdownSchema, type ExplainFeedItemResponseSchema } from '@feedmesh/contracts';
import { candidateColumns, readUuid, sourcesOfMask, UUID_BYTES, type StageBudgets } from '@feedmesh/feed-core';
import type { PagingSession } from '../paging/paging-session.js';
import { buildSkeleton, type BuiltSkeleton } from '../pipeline/build-skeleton.js';
import type { EntryFilter, FeedPipeline } from '../pipeline/components.js';
import type { RunnerSettings } from '../pipeline/run-pipeline.js';
import type { ExplainQuery } from '../request/validate-request.js';

export type Explanation = MessageInitShape<typeof ExplainFeedItemResponseSchema>;

export function createItemExplainer(pipeline: FeedPipeline, paging: PagingSession, settings: RunnerSettings) {
  return async function explainFeedItem(query: ExplainQuery, budgets: StageBudgets): Promise<Explanation> {
    const built = await buildSkeleton(pipeline, paging, settings, { ...query, newerThan: '', debug: true }, budgets);
    const served = built.filterContext.served ?? (built.session.action === 'replay' ? new Set<string>() : await built.session.served());
    return explainItem(query.itemId, query.pageSize, built, pipeline.filters, served);
  };
}

const ordinal = (n: number) => `${n}${n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th')}`;

/** Pure: where `itemId` stands in a built skeleton, and why. */
export function explainItem(itemId: string, pageSize: number, built: BuiltSkeleton, filters: readonly EntryFilter[], served: ReadonlySet<string>): Explanation {
  const { fetched, skeleton, filtered, session } = built;
  const rankedAt = fetched.entries.findIndex((e) => e.id === itemId);
  const entry = fetched.entries[rankedAt];
  const base = { rankedBy: skeleton.rankedBy, modelVersion: skeleton.modelVersion };
  if (entry === undefined) {
    if (served.has(itemId)) {
      return { ...base, outcome: ExplainOutcome.FILTERED, filteredBy: 'already-served', summary: 'Already served in this paging session: a session never shows an item twice.' };
    }
    const sources = recalledSources(skeleton.recalled, itemId);
    if (sources !== undefined) {
      return {
        ...base,
        outcome: ExplainOutcome.BEYOND_RANKED_WINDOW,
        sources,
        summary: `Recalled by ${sources.join(', ')}, but ranked below the ${fetched.entries.length} entries the ranking keeps for the session.`,
      };
    }
    return {
      ...base,
      outcome: ExplainOutcome.NOT_RECALLED,
      summary: skeleton.recalled === undefined ? 'Not in the ranking this session pages through.' : 'No recall source produced it for this user.',
    };
  }

  const scoreRank = 1 + fetched.entries.filter((e) => e.score > entry.score).length;
  const breakdown = skeleton.breakdowns.find((b) => b.itemId === itemId);
  const verdicts = filters.map((f) => ({ filter: f.identifier, kept: f.keep(entry, built.filterContext) }));
  const refusing = verdicts.find((v) => !v.kept)?.filter ?? '';
  const selectedAt = skeleton.entries.findIndex((e) => e.id === itemId);
  const keptAt = filtered.kept.findIndex((e) => e.id === itemId);
  const pagesBefore = session.action === 'replay' ? session.session.page - 1 : (session.previous?.page ?? 0);
  const page = keptAt < 0 ? 0 : pagesBefore + Math.floor(keptAt / pageSize) + 1;
  const ranked = `Ranked ${ordinal(scoreRank)} by score${rankedAt + 1 !== scoreRank ? `, ${ordinal(rankedAt + 1)} after the ranking's selectors` : ''}`;
  const moved = selectedAt >= 0 && selectedAt !== rankedAt ? `, ${ordinal(selectedAt + 1)} after the feed's selectors` : '';
  const fate =
    keptAt >= 0
      ? `; on page ${page}, position ${(keptAt % pageSize) + 1}.`
      : selectedAt < 0
        ? `; dropped by the feed's selectors (${Object.keys(built.selected?.dropped ?? {}).join(', ') || 'seen'}).`
        : `; removed by the ${refusing} filter.`;
  return {
    ...base,
    outcome: keptAt >= 0 ? ExplainOutcome.IN_FEED : ExplainOutcome.FILTERED,
    summary: `${ranked}${moved}${fate}`,
    sources: entry.sources,
    filteredBy: keptAt >= 0 ? '' : refusing || Object.keys(built.selected?.dropped ?? {})[0] || '',
    filters: verdicts,
    ...(breakdown ? { breakdown: create(ScoreBreakdownSchema, breakdown) } : {}),
    scoreRank,
    rankedPosition: rankedAt + 1,
    position: keptAt + 1,
    page,
  };
}

/** The sources recall named for `itemId` in its candidate block, or undefined when it is not there. */
function recalledSources(block: Uint8Array | undefined, itemId: string): string[] | undefined {
  if (block === undefined) return undefined;
  const columns = candidateColumns(fromBinary(CandidateBlockSchema, block));
  for (let i = 0; i < columns.count; i++) {
    if (readUuid(columns.ids, i * UUID_BYTES) === itemId) return sourcesOfMask(columns.sourceMask[i]!, columns.sourceNames);
  }
  return undefined;
}
