// GetFeed as a short pipeline of named stages (Bluesky AppView style):
//   session → skeleton → hydration → rules → paging → presentation
// Each stage is a small function in pipeline/ or paging/, traced as `feed.aggregate.<stage>`.
//
// Cursor design (see README): the cursor is an HMAC-signed, versioned token (feed-core) holding
// session id, user id, page number, snapshot time, HLC and served count; the session itself
// lives in Redis (state hash + served-id set, TTL refreshed on use). Compared with the seed's
// cell_id/seq_id/HLC cursor it is at least as strong and in several ways better:
// - tamper-proof: any edited byte is InvalidArgument before anything is read, where the seed's
//   clear-text cursor could be edited to probe other cells or positions;
// - bound to user and session: another user's cursor, or one of an expired session, is
//   FailedPrecondition; a cursor superseded by a newer page is Aborted (the seed's 409), yet the
//   immediately previous cursor replays the same page, so a retry after a lost answer is safe;
// - stable pages without shards leaking out: the snapshot time freezes the candidate set and the
//   served set removes what was shown, so a new post neither shifts nor duplicates items — the
//   seed's per-cell seq gave that only inside one cell and exposed the topology;
// - evolvable: a version prefix and a list of secrets allow format changes and key rotation.
import type { Attributes } from '@opentelemetry/api';
import { Code, ConnectError, type HandlerContext, type ServiceImpl } from '@connectrpc/connect';
import type { Candidate, FeedService, GetFeedRequest } from '@feedmesh/contracts';
import type { CandidateSource, HybridLogicalClock } from '@feedmesh/feed-core';
import { unavailable } from '@feedmesh/service-kit';
import { withSpan } from '@feedmesh/telemetry';
import type { FeedDownstreams } from './downstream/feed-downstreams.js';
import { failureCode } from './downstream/failure-code.js';
import type { TimelineFallbackRequest } from './downstream/home-timeline-fallback.js';
import { openSession, storeCall, type SessionPlan } from './paging/open-session.js';
import { advanceSession, isLastPage } from './paging/paging-policy.js';
import type { SessionStore, StoredSession } from './paging/session-store.js';
import { hydrator, type Hydrated } from './pipeline/hydration.js';
import { presentation } from './pipeline/presentation.js';
import { rules, type PageResult } from './pipeline/rules.js';
import { skeleton, type Skeleton } from './pipeline/skeleton.js';
import { timed, type StageTimingRecord } from './pipeline/stage-timing.js';
import { stageBudgets } from './request/stage-budgets.js';
import { validateRequest, type FeedQuery } from './request/validate-request.js';
import type { UserLookup } from './users/user-directory.js';

export interface FeedSettings {
  /** The kit's MAX_DEADLINE_MS: a remaining time this large means "no deadline set". */
  maxDeadlineMs: number;
  defaultBudgetMs: number;
  recallLimit: number;
  maxPages: number;
}

export interface FeedServiceDeps {
  users: UserLookup;
  sessions: SessionStore;
  downstreams: FeedDownstreams;
  recallFallback: CandidateSource<TimelineFallbackRequest, Candidate>;
  clock: HybridLogicalClock;
  secrets: readonly string[];
  settings: FeedSettings;
}

/** Extra render round trips to refill a page after misses. */
const maxTopUps = 2;

const stage = <T>(name: string, attributes: Attributes, fn: (set: (a: Attributes) => void) => Promise<T>) =>
  withSpan(`feed.aggregate.${name}`, attributes, (span) => fn((a) => span.setAttributes(a)));

export function feedService(deps: FeedServiceDeps): ServiceImpl<typeof FeedService> {
  return {
    async getFeed(req: GetFeedRequest, ctx: HandlerContext) {
      const query = validateRequest(req);
      const budgets = stageBudgets(ctx.timeoutMs(), deps.settings.maxDeadlineMs, deps.settings.defaultBudgetMs);
      const timings: StageTimingRecord[] = [];
      const degradedReasons: string[] = [];

      const plan = await stage('session', { 'feed.first_page': query.cursor === '' }, async (set) => {
        const p = await timed(timings, 'session', 0, () => openSession(query, { ...deps, secrets: [...deps.secrets] }, degradedReasons));
        set({ 'feed.session_id': p.sessionId, 'feed.paging_action': p.action });
        return p;
      });
      if (plan.action === 'replay') return replayPage(query, plan, deps, budgets.renderMs, timings, degradedReasons);

      const sk = await stage('skeleton', { 'feed.session_id': plan.sessionId, 'feed.served': plan.served.size }, async (set) => {
        const s = await skeleton(
          {
            userId: query.userId,
            served: plan.served,
            snapshotMs: plan.snapshotMs,
            recallLimit: deps.settings.recallLimit,
            rankLimit: query.pageSize * (maxTopUps + 1) + 1,
            debug: query.debug,
            budgets,
          },
          deps,
          timings,
        );
        set({
          'feed.candidates': s.candidateCount,
          'feed.ranked': s.entries.length,
          'feed.ranked_by': s.ranked,
          'feed.dropped.already_served': s.dropped['already-served'] ?? 0,
          'feed.dropped.after_snapshot': s.dropped['after-snapshot'] ?? 0,
          'model.version': s.modelVersion,
        });
        return s;
      });
      degradedReasons.push(...sk.degradedReasons);

      const hydrate = hydrator(deps.downstreams, query.userId, budgets.renderMs);
      const window = sk.entries.slice(0, query.pageSize);
      const firstWindow = await stage('hydration', { 'feed.requested': window.length }, async (set) => {
        const h = await timed(timings, 'render', budgets.renderMs, () => hydrate(window)).catch((error: unknown) => {
          throw unavailable(`render: ${failureCode(error)}; no page can be served without cards`);
        });
        set({ 'feed.rendered': h.items.size, 'feed.missing': h.missing.length });
        return h;
      });

      const page = await stage('rules', { 'feed.page_size': query.pageSize }, async (set) => {
        const p = await rules({
          ranked: sk.entries,
          pageSize: query.pageSize,
          firstWindow,
          hydrate: (entries) => timed(timings, 'render.top_up', budgets.renderMs, () => hydrate(entries)),
          maxTopUps,
        });
        set({ 'feed.filled': p.items.length, 'feed.missing': p.missing.length, 'feed.top_ups': p.topUps });
        return p;
      });
      if (page.topUpError !== undefined) degradedReasons.push(`render: ${failureCode(page.topUpError)}`);

      const session = await stage('paging', { 'feed.session_id': plan.sessionId }, async (set) => {
        const s = await timed(timings, 'paging', 0, () => commitPage(query, plan, page, deps));
        set({ 'feed.page': s.page, 'feed.last_page': s.nextCursor === '' });
        return s;
      });

      return stage('presentation', { 'feed.items': page.items.length }, async (set) => {
        set({ 'feed.degraded': degradedReasons.length > 0 });
        return presentation({
          items: page.items,
          nextCursor: session.nextCursor,
          degradedReasons,
          ...(query.debug ? { debug: debugOf(sk, timings, plan.sessionId) } : {}),
        });
      });
    },
  };
}

/** Stores the page and advances the session; a lost race means the cursor was superseded. */
async function commitPage(
  query: FeedQuery,
  plan: Extract<SessionPlan, { action: 'open' | 'advance' }>,
  page: PageResult,
  deps: FeedServiceDeps,
): Promise<StoredSession> {
  const { previous } = plan;
  // receive() orders this cursor after the session's latest even if another replica's clock
  // ran ahead of ours.
  const hlc = previous ? deps.clock.receive(previous.lastHlc) : deps.clock.tick();
  const pageNumber = (previous?.page ?? 0) + 1;
  const last = isLastPage({ remaining: page.remaining, page: pageNumber, maxPages: deps.settings.maxPages });
  const session = advanceSession(
    { previous, sessionId: plan.sessionId, userId: query.userId, snapshotMs: plan.snapshotMs, hlc, served: page.entries.length, last },
    [...deps.secrets],
  );
  const committed = await storeCall(() => deps.sessions.commit({ session, expectedLastHlc: previous?.lastHlc, entries: page.entries }));
  if (!committed) throw new ConnectError('cursor was superseded by a concurrent request of this session', Code.Aborted);
  return session;
}

/**
 * The cursor before the latest: the answer to it was lost, so the same page (stored by page
 * number) is rendered again and the same next cursor returned. Nothing advances.
 */
async function replayPage(
  query: FeedQuery,
  plan: Extract<SessionPlan, { action: 'replay' }>,
  deps: FeedServiceDeps,
  renderMs: number,
  timings: StageTimingRecord[],
  degradedReasons: string[],
) {
  const { session } = plan;
  const entries = await storeCall(() => deps.sessions.pageEntries(plan.sessionId, session.page));
  if (entries === undefined) {
    throw new ConnectError('the page to replay is no longer stored; request the first page', Code.FailedPrecondition);
  }
  const hydrate = hydrator(deps.downstreams, query.userId, renderMs);
  const firstWindow: Hydrated = await stage('hydration', { 'feed.requested': entries.length, 'feed.replay': true }, () =>
    timed(timings, 'render', renderMs, () => hydrate(entries)).catch((error: unknown) => {
      throw unavailable(`render: ${failureCode(error)}; no page can be served without cards`);
    }),
  );
  const page = await stage('rules', { 'feed.replay': true }, () =>
    rules({ ranked: entries, pageSize: entries.length, firstWindow, hydrate, maxTopUps: 0 }),
  );
  await storeCall(() => deps.sessions.touch(plan.sessionId));
  return stage('presentation', { 'feed.items': page.items.length, 'feed.replay': true }, async () =>
    presentation({
      items: page.items,
      nextCursor: session.nextCursor,
      degradedReasons,
      ...(query.debug
        ? { debug: { timings, sources: [], breakdowns: [], modelVersion: '', sessionId: plan.sessionId } }
        : {}),
    }),
  );
}

function debugOf(sk: Skeleton, timings: readonly StageTimingRecord[], sessionId: string) {
  return { timings, sources: sk.sources, breakdowns: sk.breakdowns, modelVersion: sk.modelVersion, sessionId };
}
