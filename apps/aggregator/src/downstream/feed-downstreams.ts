import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  RankingService,
  RecallService,
  RenderService,
  type RankRequestSchema,
  type RankResponse,
  type RecallRequestSchema,
  type RecallResponse,
  type RenderRequestSchema,
  type RenderResponse,
} from '@feedmesh/contracts';
import type { ServiceClient } from '@feedmesh/service-kit';
import type { DownstreamBreaker } from './downstream-breaker.js';

/** The three services a feed page needs, each call bounded by its stage's budget. */
export interface FeedDownstreams {
  recall(request: MessageInitShape<typeof RecallRequestSchema>, timeoutMs: number): Promise<RecallResponse>;
  rank(request: MessageInitShape<typeof RankRequestSchema>, timeoutMs: number): Promise<RankResponse>;
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
    recall: (request, timeoutMs) => breakers.recall.call(() => clients.recall.recall(request, { timeoutMs }), timeoutMs),
    rank: (request, timeoutMs) => breakers.ranking.call(() => clients.ranking.rank(request, { timeoutMs }), timeoutMs),
    render: (request, timeoutMs) => breakers.render.call(() => clients.render.render(request, { timeoutMs }), timeoutMs),
  };
}
