import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  RankingService,
  RecallService,
  RenderService,
  type RankBlockRequestSchema,
  type RankBlockResponse,
  type RecallBlockRequestSchema,
  type RecallBlockResponse,
  type RenderRequestSchema,
  type RenderResponse,
} from '@feedmesh/contracts';
import type { ServiceClient } from '@feedmesh/service-kit';
import type { DownstreamBreaker } from './downstream-breaker.js';

/**
 * The three services a feed page needs, each call bounded by its stage's budget. The page path
 * uses the columnar methods: recall's candidate block goes to ranking as the bytes it came in.
 */
export interface FeedDownstreams {
  recallBlock(request: MessageInitShape<typeof RecallBlockRequestSchema>, timeoutMs: number): Promise<RecallBlockResponse>;
  rankBlock(request: MessageInitShape<typeof RankBlockRequestSchema>, timeoutMs: number): Promise<RankBlockResponse>;
  render(request: MessageInitShape<typeof RenderRequestSchema>, timeoutMs: number): Promise<RenderResponse>;
}

export interface DownstreamClients {
  recall: ServiceClient<typeof RecallService>;
  ranking: ServiceClient<typeof RankingService>;
  render: ServiceClient<typeof RenderService>;
}

export interface DownstreamBreakers {
  recall: DownstreamBreaker;
  ranking: DownstreamBreaker;
  render: DownstreamBreaker;
}

/** Typed clients behind one circuit breaker per service. */
export function guardedDownstreams(clients: DownstreamClients, breakers: DownstreamBreakers): FeedDownstreams {
  return {
    recallBlock: (request, timeoutMs) => breakers.recall.call(() => clients.recall.recallBlock(request, { timeoutMs }), timeoutMs),
    rankBlock: (request, timeoutMs) => breakers.ranking.call(() => clients.ranking.rankBlock(request, { timeoutMs }), timeoutMs),
    render: (request, timeoutMs) => breakers.render.call(() => clients.render.render(request, { timeoutMs }), timeoutMs),
  };
}
