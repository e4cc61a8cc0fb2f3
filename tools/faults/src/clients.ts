import type { DescService } from '@bufbuild/protobuf';
import { createClient, type Client } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-node';
import { FeedService } from '@feedmesh/contracts';
import { createServiceClient } from '@feedmesh/service-kit';
import type { Call } from './call-record.js';

export type Protocol = 'grpc' | 'connect';

export type FaultClient<S extends DescService> = Client<S> & { close(): void };

/**
 * A client as a caller outside the mesh would hold one: gRPC over HTTP/2 (grpc-js through the
 * kit's transport, no retries, so every failure is seen) or Connect JSON over HTTP/1.1 with
 * keep-alive sockets (what a BFF sends).
 */
export function clientOf<S extends DescService>(service: S, address: string, protocol: Protocol): FaultClient<S> {
  if (protocol === 'grpc') return createServiceClient(service, { address, maxRetries: 0, defaultTimeoutMs: 5_000 });
  const transport = createConnectTransport({ baseUrl: `http://${address}`, httpVersion: '1.1', useBinaryFormat: false });
  return Object.assign(createClient(service, transport), { close: () => {} });
}

/** A first page for a random one of `users`, with a caller deadline. */
export function firstPageCall(feed: Client<typeof FeedService>, users: readonly string[], timeoutMs: number): Call {
  return async () => {
    const userId = users[Math.floor(Math.random() * users.length)]!;
    const page = await feed.getFeed({ userId, pageSize: 20 }, { timeoutMs });
    return { degraded: page.degraded, degradedReasons: page.degradedReasons };
  };
}
