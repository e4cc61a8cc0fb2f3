import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Code, ConnectError } from '@connectrpc/connect';
import {
  CandidateBlockSchema,
  FeedItemSchema,
  ItemKind,
  RankBlockResponseSchema,
  RecallBlockResponseSchema,
  RenderResponseSchema,
  type RankBlockRequest,
  type RecallBlockRequest,
} from '@feedmesh/contracts';
import { CandidateBlockBuilder, candidateColumns, HybridLogicalClock, rankedBlockOf, splitBudget } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { MemorySessionStore } from '../../test/memory-session-store.js';
import type { FeedDownstreams } from '../downstream/feed-downstreams.js';
import { afterSnapshotFilter } from '../filters/after-snapshot-filter.js';
import { alreadyServedFilter } from '../filters/already-served-filter.js';
import { blockedFilter } from '../filters/blocked-filter.js';
import { mutedFilter } from '../filters/muted-filter.js';
import { NO_PREFERENCES, parseViewerPreferences, type ViewerPreferences } from '@feedmesh/storage';
import { PagingSession } from '../paging/paging-session.js';
import { createRankingScorer } from '../scorers/ranking-scorer.js';
import { createRecallAndRankSource } from '../sources/recall-and-rank-source.js';
import { createRecallSource } from '../sources/recall-source.js';
import { createReplaySource } from '../sources/replay-source.js';
import { sessionWindowSource } from '../sources/session-window-source.js';
import type { FeedPipeline } from './components.js';
import { hydrator } from './hydration.js';
import { createPipelineRunner } from './run-pipeline.js';
import { shownLessAuthorSelector } from '../selectors/shown-less-author-selector.js';
import { unseenFirstSelector } from '../selectors/unseen-first-selector.js';
import type { ViewerState, ViewerStateWants } from '@feedmesh/storage';

const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const NOW = 1_700_000_000_000;

/** A mesh of fakes: recall has `count` items (item n created n ms before NOW), ranking scores item n as 1/n. */
function fakeMesh(count: number) {
  const calls = { recall: [] as RecallBlockRequest[], rank: [] as RankBlockRequest[], render: 0, renderTimeoutsMs: [] as number[] };
  let rankingDown = false;
  const downstreams: FeedDownstreams = {
    async recallBlock(request) {
      calls.recall.push(request as RecallBlockRequest);
      const exclude = new Set(request.excludeIds ?? []);
      const block = new CandidateBlockBuilder();
      for (let n = 1; n <= count; n++) {
        if (!exclude.has(id(n))) block.add({ id: id(n), kind: 1 + (n % 3), authorId: `a${n % 7}`, createdAtMs: NOW - n, sources: ['following'], recallScore: 0 });
      }
      return create(RecallBlockResponseSchema, { candidates: toBinary(CandidateBlockSchema, create(CandidateBlockSchema, block.build())), count: block.count });
    },
    async rankBlock(request) {
      calls.rank.push(request as RankBlockRequest);
      if (rankingDown) throw new ConnectError('down', Code.Unavailable);
      const columns = candidateColumns(fromBinary(CandidateBlockSchema, request.candidates!));
      const scores = Array.from({ length: columns.count }, (_, i) => 1 / (i + 1));
      const picked = Array.from({ length: Math.min(columns.count, request.limit ?? 0) }, (_, i) => i);
      return create(RankBlockResponseSchema, { items: rankedBlockOf(columns, picked, scores), modelVersion: 'm1', featureCount: 1 });
    },
    async render(request, timeoutMs) {
      calls.render++;
      calls.renderTimeoutsMs.push(timeoutMs);
      return create(RenderResponseSchema, {
        items: (request.itemIds ?? []).map((itemId) =>
          create(FeedItemSchema, { id: itemId, kind: ItemKind.ARTICLE, authorId: 'a', card: { case: 'article', value: { title: itemId } }, template: { id: 'article.card', version: 1 } }),
        ),
      });
    },
  };
  return { downstreams, calls, setRankingDown: (down: boolean) => (rankingDown = down) };
}

interface RunnerOptions {
  preferences?: () => Promise<ViewerPreferences>;
  viewerState?: FeedPipeline['viewerState'];
  selectors?: FeedPipeline['selectors'];
  seenItems?: 'demote' | 'drop';
}

function runner(downstreams: FeedDownstreams, options: RunnerOptions = {}) {
  const paging = new PagingSession({ users: { exists: async () => true }, sessions: new MemorySessionStore(), secrets: ['0123456789abcdef-secret'], clock: new HybridLogicalClock(), maxPages: 50, now: () => NOW });
  const fallback = { identifier: 'home-timeline-fallback', fetch: async () => ({ block: new Uint8Array(), count: 0 }) };
  const recall = createRecallSource({ downstreams, recallLimit: 500, fallback });
  const pipeline: FeedPipeline = {
    identifier: 'test',
    recall,
    sources: [createReplaySource(paging), sessionWindowSource, createRecallAndRankSource({ recall, scorer: createRankingScorer(downstreams) })],
    filters: [afterSnapshotFilter, blockedFilter, mutedFilter, alreadyServedFilter],
    ...(options.selectors ? { selectors: options.selectors } : {}),
    // Read at each call: a test changes the viewer's preferences between pages.
    viewerState: options.viewerState ?? (async () => ({ preferences: await (options.preferences?.() ?? NO_PREFERENCES), seen: new Set<string>() })),
    hydrator: (run) => hydrator(downstreams, run.query.userId, run.budgets.renderMs),
  };
  const serve = createPipelineRunner(pipeline, paging, { rankWindow: 100, maxTopUps: 2, seenItems: options.seenItems ?? 'demote' });
  return (cursor: string, debug = false, budgets = splitBudget(1_000)) => serve({ userId: 'u1', feedId: 'for-you', pageSize: 10, cursor, newerThan: '', debug }, budgets);
}

const idsOf = (page: { items?: Array<{ id?: string }> }) => (page.items ?? []).map((i) => i.id!);

describe('the pipeline runner', () => {
  it('applies a mute and a block from the next page on, to entries already in the ranked window, and counts them in debug', async () => {
    const { downstreams, calls } = fakeMesh(300);
    const viewer = { preferences: async () => NO_PREFERENCES };
    const serve = runner(downstreams, viewer);
    const p1 = await serve('', true);
    expect(new Set(p1.items!.map((i) => i.id!)).size).toBe(10);
    viewer.preferences = async () => parseViewerPreferences({ 'mute:a1': '0', 'blocked-by:a2': '0' }, NOW);
    const p2 = await serve(p1.nextCursor!, true);
    // Page 2 reads the stored window (no new ranking), and still drops a1's and a2's items.
    expect(calls.rank).toHaveLength(1);
    const authorOf = (itemId: string) => `a${parseInt(itemId.slice(-12), 16) % 7}`;
    const authors = idsOf(p2).map(authorOf);
    expect(authors).toHaveLength(10);
    expect(authors).not.toContain('a1');
    expect(authors).not.toContain('a2');
    const counts = Object.fromEntries(p2.debug!.filters!.map((f) => [f.filter!, f.removed!]));
    expect(counts['muted']).toBeGreaterThan(0);
    expect(counts['blocked']).toBeGreaterThan(0);
  });

  it('fails Unavailable, not open, when the viewer preferences cannot be read', async () => {
    const { downstreams } = fakeMesh(50);
    const serve = runner(downstreams, { preferences: async () => Promise.reject(new Error('redis down')) });
    await expect(serve('')).rejects.toMatchObject({ code: Code.Unavailable });
  });

  it('ranks the first page, serves the next ones from the stored window, and ranks again when it runs low', async () => {
    const { downstreams, calls } = fakeMesh(300);
    const serve = runner(downstreams);
    const seen: string[] = [];
    let cursor = '';
    const stagesOf: string[][] = [];
    for (let page = 1; page <= 9; page++) {
      const response = await serve(cursor, true);
      expect(idsOf(response)).toHaveLength(10);
      seen.push(...idsOf(response));
      stagesOf.push(response.debug!.stages!.map((s) => s.stage!));
      cursor = response.nextCursor!;
    }
    expect(new Set(seen).size).toBe(90);
    // Window of 100, a page needs 31 in hand: pages 1 and 8 rank, the rest read the window.
    expect(calls.rank).toHaveLength(2);
    expect(calls.recall).toHaveLength(2);
    expect(stagesOf[0]).toEqual(expect.arrayContaining(['session', 'recall', 'ranking', 'render']));
    expect(stagesOf[1]).toEqual(expect.arrayContaining(['session', 'session-window', 'render']));
    expect(stagesOf[1]).not.toContain('ranking');
    // The second ranking excluded everything served before it, and recall got the snapshot bound.
    expect(calls.recall[1]!.excludeIds).toHaveLength(70);
    expect(Number(calls.recall[1]!.createdBeforeMs)).toBe(NOW);
  });

  it('serves the latest page again for the previous cursor (replay), without recall or ranking', async () => {
    const { downstreams, calls } = fakeMesh(300);
    const serve = runner(downstreams);
    const p1 = await serve('');
    const p2 = await serve(p1.nextCursor!);
    const before = calls.rank.length;
    const again = await serve(p1.nextCursor!);
    expect(idsOf(again)).toEqual(idsOf(p2));
    expect(again.nextCursor).toBe(p2.nextCursor);
    expect(calls.rank.length).toBe(before);
  });

  it('degrades to recency order when ranking fails, keeps no window, and tries ranking again on the next page', async () => {
    const { downstreams, calls, setRankingDown } = fakeMesh(300);
    const serve = runner(downstreams);
    setRankingDown(true);
    const p1 = await serve('');
    expect(p1.degradedReasons).toEqual(['ranking: unavailable']);
    expect(idsOf(p1)).toEqual(Array.from({ length: 10 }, (_, i) => id(i + 1)));
    setRankingDown(false);
    const p2 = await serve(p1.nextCursor!);
    expect(p2.degraded).toBe(false);
    expect(calls.rank).toHaveLength(2);
    expect(idsOf(p2).some((x) => idsOf(p1).includes(x))).toBe(false);
  });

  it("gives render the time recall and ranking left unused: a ranking that failed at once leaves render its own budget and ranking's", async () => {
    const budgets = splitBudget(1_000);
    const { downstreams, calls, setRankingDown } = fakeMesh(300);
    const serve = runner(downstreams);
    await serve('');
    setRankingDown(true);
    await serve('');
    for (const timeoutMs of calls.renderTimeoutsMs) {
      expect(timeoutMs).toBeGreaterThan(budgets.renderMs + budgets.rankingMs - 50);
      expect(timeoutMs).toBeLessThanOrEqual(budgets.recallMs + budgets.rankingMs + budgets.renderMs);
    }
  });

  it('still gives render its own budget when recall and ranking used all of theirs', async () => {
    const budgets = splitBudget(300);
    const { downstreams, calls } = fakeMesh(300);
    const slow: FeedDownstreams = {
      ...downstreams,
      rankBlock: async (request, timeoutMs) => {
        await new Promise((r) => setTimeout(r, budgets.recallMs + timeoutMs + 20));
        return downstreams.rankBlock(request, timeoutMs);
      },
    };
    const serve = runner(slow);
    await serve('', false, budgets);
    expect(calls.renderTimeoutsMs[0]).toBe(budgets.renderMs);
  });

  it('ends the session when a final window is used up', async () => {
    const { downstreams } = fakeMesh(25);
    const serve = runner(downstreams);
    const p1 = await serve('');
    const p2 = await serve(p1.nextCursor!);
    const p3 = await serve(p2.nextCursor!);
    expect([idsOf(p1).length, idsOf(p2).length, idsOf(p3).length]).toEqual([10, 10, 5]);
    expect(p3.nextCursor).toBe('');
  });
});

describe('the pipeline runner with viewer-state selectors', () => {
  function stateRunner(downstreams: FeedDownstreams, viewer: { state: ViewerState; reads: ViewerStateWants[] }, seenItems: 'demote' | 'drop' = 'demote') {
    return runner(downstreams, {
      selectors: [shownLessAuthorSelector, unseenFirstSelector],
      seenItems,
      viewerState: async (_userId, _nowMs, wants) => (viewer.reads.push(wants), wants.seen ? viewer.state : { ...viewer.state, seen: new Set() }),
    });
  }

  it('a fresh ranking puts seen items behind unseen ones; later pages continue from the stored (reordered) window; one state read per page', async () => {
    const { downstreams, calls } = fakeMesh(300);
    const seen = new Set(Array.from({ length: 10 }, (_, i) => id(i + 1)));
    const viewer = { state: { preferences: NO_PREFERENCES, seen }, reads: [] as ViewerStateWants[] };
    const serve = stateRunner(downstreams, viewer);
    const p1 = await serve('', true);
    expect(idsOf(p1)).toEqual(Array.from({ length: 10 }, (_, i) => id(i + 11)));
    expect(p1.debug!.stages!.map((t) => t.stage)).toEqual(expect.arrayContaining(['viewer-preferences', 'shown-less-author', 'unseen-first']));
    const p2 = await serve(p1.nextCursor!);
    expect(calls.rank).toHaveLength(1);
    expect(idsOf(p2)).toEqual(Array.from({ length: 10 }, (_, i) => id(i + 21)));
    // The seen set is read with the preferences for the fresh ranking only, in the same call.
    expect(viewer.reads).toEqual([{ seen: true }, { seen: false }]);
  });

  it('drop removes seen items (counted in debug filters); a "show less" author moves down', async () => {
    const { downstreams } = fakeMesh(300);
    const viewer = { state: { preferences: parseViewerPreferences({ 'less-author:a1': '0' }, NOW), seen: new Set([id(2)]) }, reads: [] as ViewerStateWants[] };
    const p1 = await stateRunner(downstreams, viewer, 'drop')('', true);
    const ids = idsOf(p1);
    expect(ids).not.toContain(id(2));
    // Item 1 (author a1, ranked first) is 20 places down: not on the first page.
    expect(ids).not.toContain(id(1));
    expect(ids[0]).toBe(id(3));
    expect(p1.debug!.filters).toEqual(expect.arrayContaining([expect.objectContaining({ filter: 'unseen-first', removed: 1 })]));
  });
});
