// feedmesh.feed.v1.FeedService: validate the request, split its deadline into stage budgets, and
// serve one page of the feed it names (feeds/feed-catalog.ts) through that feed's pipeline runner.
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

/** `runners`: feed id → the runner of that feed's pipeline. */
export function feedService(runners: ReadonlyMap<string, ReturnType<typeof createPipelineRunner>>, settings: FeedServiceSettings): ServiceImpl<typeof FeedService> {
  const feedIds = [...runners.keys()];
  return {
    async getFeed(req: GetFeedRequest, ctx: HandlerContext) {
      const query = validateRequest(req, feedIds);
      if (query.debug) settings.debugAccess.check(ctx);
      return runners.get(query.feedId)!(query, stageBudgets(deadlineOf(ctx), settings.defaultBudgetMs));
    },
  };
}
