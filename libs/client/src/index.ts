// @feedmesh/client for Node (a BFF): transports from @connectrpc/connect-node, gRPC (HTTP/2) or
// Connect (JSON or binary over HTTP/1.1, as the apps' one port serves it), and reporters that
// flush when the process is about to exit.
import type { Transport } from '@connectrpc/connect';
import { createConnectTransport, createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { createFeedmeshClientFromTransports, type FeedmeshClient } from './client.js';
import type { LifecycleHook } from './engagement-reporter.js';
import { clientInterceptors, type InterceptorOptions } from './interceptors.js';

export * from './shared.js';

/** "grpc": gRPC over HTTP/2; "connect": Connect JSON over HTTP/1.1; "connect-binary": Connect protobuf over HTTP/1.1. */
export type NodeProtocol = 'grpc' | 'connect' | 'connect-binary';

export interface NodeClientOptions extends InterceptorOptions {
  /** The FeedService (aggregator) URL, e.g. "http://aggregator:8080". */
  baseUrl: string;
  /** The IngestService URL; default `baseUrl` (a gateway serving both). */
  ingestBaseUrl?: string;
  /** Default "grpc". */
  protocol?: NodeProtocol;
  /** Deadline of every call that sets none (default 5000 ms). */
  timeoutMs?: number;
  /** Flush engagement reporters when the event loop empties (`beforeExit`); default true. Call `close()` on SIGTERM. */
  flushOnExit?: boolean;
}

export interface NodeTransportOptions extends InterceptorOptions {
  protocol?: NodeProtocol;
  timeoutMs?: number;
  /** gRPC only: the HTTP/2 session manager to use (the caller closes it). */
  sessionManager?: Http2SessionManager;
}

/** A connect-node transport to one feedmesh app, with the client's interceptors. */
export function createNodeTransport(baseUrl: string, options: NodeTransportOptions = {}): Transport {
  const common = { baseUrl, interceptors: clientInterceptors(options), defaultTimeoutMs: options.timeoutMs ?? 5_000 };
  switch (options.protocol ?? 'grpc') {
    case 'grpc':
      return createGrpcTransport({ ...common, sessionManager: options.sessionManager });
    case 'connect':
      // HTTP/1.1: the apps route HTTP/2 connections to their gRPC server.
      return createConnectTransport({ ...common, httpVersion: '1.1', useBinaryFormat: false });
    case 'connect-binary':
      return createConnectTransport({ ...common, httpVersion: '1.1', useBinaryFormat: true });
    default:
      throw new Error(`unknown protocol ${String(options.protocol)}: "grpc", "connect" or "connect-binary"`);
  }
}

/** Flush on `beforeExit` (once: the flush's own work would raise it again). */
export const processExitHook: LifecycleHook = (flush) => {
  process.once('beforeExit', flush);
  return () => process.off('beforeExit', flush);
};

/** A FeedService + IngestService client for Node. */
export function createFeedmeshClient(options: NodeClientOptions): FeedmeshClient {
  const protocol = options.protocol ?? 'grpc';
  const sessions: Http2SessionManager[] = [];
  const transportTo = (url: string) => {
    let sessionManager: Http2SessionManager | undefined;
    if (protocol === 'grpc') sessions.push((sessionManager = new Http2SessionManager(url)));
    return createNodeTransport(url, { ...options, protocol, sessionManager });
  };
  const feed = transportTo(options.baseUrl);
  const ingest = options.ingestBaseUrl && options.ingestBaseUrl !== options.baseUrl ? transportTo(options.ingestBaseUrl) : feed;
  return createFeedmeshClientFromTransports(
    { feed, ingest },
    {
      lifecycle: options.flushOnExit === false ? undefined : processExitHook,
      onClose: () => sessions.forEach((s) => s.abort()),
    },
  );
}
