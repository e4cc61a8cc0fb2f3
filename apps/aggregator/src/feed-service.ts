// feedmesh.feed.v1.FeedService: validate the request, split its deadline into stage budgets, and
// serve one page of the feed it names (feeds/feed-catalog.ts) through that feed's pipeline runner.
// Cursors and paging sessions: README.md, "Paging and cursors".
import type { HandlerContext, ServiceImpl } from '@connectrpc/connect';
import type { CountNewItemsRequest, ExplainFeedItemRequest, FeedService, GetFeedRequest } from '@feedmesh/contracts';
import { deadlineOf } from '@feedmesh/service-kit';
import type { DebugAccess } from './access/debug-access.js';
import type { createItemExplainer } from './explain/explain-feed-item.js';
import type { createNewItemsCounter } from './new-items/count-new-items.js';
import type { createPipelineRunner } from './pipeline/run-pipeline.js';
import { stageBudgets } from './request/stage-budgets.js';
import { validateCountRequest, validateExplainRequest, validateRequest } from './request/validate-request.js';

export interface FeedServiceSettings {
  defaultBudgetMs: number;
  debugAccess: DebugAccess;
}

/** What serves one declared feed: its pages, and its count of new items. */
export interface FeedRunners {
  servePage: ReturnType<typeof createPipelineRunner>;
  countNewItems: ReturnType<typeof createNewItemsCounter>;
  explainFeedItem: ReturnType<typeof createItemExplainer>;
}

/** `feeds`: feed id → the runners of that feed's pipeline. */
export function feedService(feeds: ReadonlyMap<string, FeedRunners>, settings: FeedServiceSettings): ServiceImpl<typeof FeedService> {
  const feedIds = [...feeds.keys()];
  return {
    async getFeed(req: GetFeedRequest, ctx: HandlerContext) {
      const query = validateRequest(req, feedIds);
      if (query.debug) settings.debugAccess.check(ctx);
      return feeds.get(query.feedId)!.servePage(query, stageBudgets(deadlineOf(ctx), settings.defaultBudgetMs));
    },
    async countNewItems(req: CountNewItemsRequest, ctx: HandlerContext) {
      const query = validateCountRequest(req, feedIds);
      return feeds.get(query.feedId)!.countNewItems(query, stageBudgets(deadlineOf(ctx), settings.defaultBudgetMs));
    },
    // An explanation spells out the model's weights, as debug output does: the same access rule.
    async explainFeedItem(req: ExplainFeedItemRequest, ctx: HandlerContext) {
      const query = validateExplainRequest(req, feedIds);
      settings.debugAccess.check(ctx);
      return feeds.get(query.feedId)!.explainFeedItem(query, stageBudgets(deadlineOf(ctx), settings.defaultBudgetMs));
    },
  };
}
