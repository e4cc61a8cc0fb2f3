// feedmesh.feed.v1.FeedService: validate the request, split its deadline into stage budgets, and
// serve one page of the declared home feed (feeds/home-feed.ts) through the pipeline runner.
//
// Cursor design (see README): the cursor is an HMAC-signed, versioned token (feed-core) bound to
// a user and a paging session kept in Redis (state hash with the ranked window, served-id set).
// Tamper-proof (any edited byte is InvalidArgument), bound to user and session (another user's or
// an expired session's cursor is FailedPrecondition), superseded cursors are Aborted (the seed's
// 409) while the immediately previous one replays its page, and a snapshot time plus the served
// set keep pages stable without exposing shards to clients.
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import type { FeedService, GetFeedRequest } from '@feedmesh/contracts';
import { deadlineOf } from '@feedmesh/service-kit';
import type { DebugAccess } from './access/debug-access.js';
import type { createPipelineRunner } from './pipeline/run-pipeline.js';
import { stageBudgets } from './request/stage-budgets.js';
import { validateRequest } from './request/validate-request.js';

export interface FeedServiceSettings {
  defaultBudgetMs: number;
  debugAccess: DebugAccess;
}

export function feedService(servePage: ReturnType<typeof createPipelineRunner>, settings: FeedServiceSettings): ServiceImpl<typeof FeedService> {
  return {
    async getFeed(req: GetFeedRequest, ctx: HandlerContext) {
      const query = validateRequest(req);
      if (query.debug) settings.debugAccess.check(ctx);
      return servePage(query, stageBudgets(deadlineOf(ctx), settings.defaultBudgetMs));
    },
  };
}
