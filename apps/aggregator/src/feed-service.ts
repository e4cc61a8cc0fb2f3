// feedmesh.feed.v1.FeedService: validate the request, split its deadline into stage budgets, and
// serve one page of the declared home feed (feeds/home-feed.ts) through the pipeline runner.
// Cursors and paging sessions: README.md, "Paging and cursors".
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
