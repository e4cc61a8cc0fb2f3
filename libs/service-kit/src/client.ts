import type { DescService } from '@bufbuild/protobuf';
import { type Client, createClient } from '@connectrpc/connect';
import { createGrpcTransport, type GrpcTransportOptions } from './grpc-transport.js';

export type ServiceClient<S extends DescService> = Client<S> & { close(): void };

/**
 * A typed client for another app's service over gRPC, e.g.
 * `createServiceClient(RankingService, { address: env.RANKING_ADDR, defaultTimeoutMs: 200 })`.
 */
export function createServiceClient<S extends DescService>(service: S, options: GrpcTransportOptions): ServiceClient<S> {
  const transport = createGrpcTransport(options);
  return Object.assign(createClient(service, transport), { close: transport.close });
}
