// @feedmesh/client for the browser: transports from @connectrpc/connect-web (Connect JSON or
// binary over fetch), and reporters that flush when the page is hidden. No Node-only import may
// reach this module's graph (browser-entry.test.ts checks the built files).
import type { Transport } from '@connectrpc/connect';
import { createConnectTransport } from '@connectrpc/connect-web';
import { createFeedmeshClientFromTransports, type FeedmeshClient } from './client.js';
import type { LifecycleHook } from './engagement-reporter.js';
import { clientInterceptors, type InterceptorOptions } from './interceptors.js';

export * from './shared.js';

/** "connect": Connect JSON (default); "connect-binary": Connect protobuf. Both over fetch. */
export type BrowserProtocol = 'connect' | 'connect-binary';

export interface BrowserClientOptions extends InterceptorOptions {
  /** The FeedService URL (your gateway or BFF proxy), e.g. "https://api.example.com". */
  baseUrl: string;
  /** The IngestService URL; default `baseUrl`. */
  ingestBaseUrl?: string;
  protocol?: BrowserProtocol;
  /** Deadline of every call that sets none (default 5000 ms). */
  timeoutMs?: number;
  /** Flush engagement reporters on `pagehide` and when the page becomes hidden; default true. */
  flushOnPageHide?: boolean;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof globalThis.fetch;
}

export interface BrowserTransportOptions extends InterceptorOptions {
  protocol?: BrowserProtocol;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
  /** Send with `keepalive` so a request outlives the page that started it (engagement flushes). */
  keepalive?: boolean;
}

/** A connect-web transport to one feedmesh endpoint, with the client's interceptors. */
export function createBrowserTransport(baseUrl: string, options: BrowserTransportOptions = {}): Transport {
  const base: typeof globalThis.fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const fetchFn: typeof globalThis.fetch = options.keepalive ? (input, init) => base(input, { ...init, keepalive: true }) : base;
  return createConnectTransport({
    baseUrl,
    interceptors: clientInterceptors(options),
    defaultTimeoutMs: options.timeoutMs ?? 5_000,
    useBinaryFormat: options.protocol === 'connect-binary',
    fetch: fetchFn,
  });
}

interface EventTargetLike {
  addEventListener(type: string, listener: () => void): void;
  removeEventListener(type: string, listener: () => void): void;
}

/** Flush on `pagehide` and on `visibilitychange` to hidden (the last moment a mobile browser promises). */
export const pageHideHook: LifecycleHook = (flush) => {
  const win = globalThis as unknown as Partial<EventTargetLike> & { document?: Partial<EventTargetLike> & { visibilityState?: string } };
  const doc = win.document;
  if (typeof win.addEventListener !== 'function') return () => {};
  const onVisibility = () => {
    if (doc?.visibilityState === 'hidden') flush();
  };
  win.addEventListener('pagehide', flush);
  doc?.addEventListener?.('visibilitychange', onVisibility);
  return () => {
    win.removeEventListener?.('pagehide', flush);
    doc?.removeEventListener?.('visibilitychange', onVisibility);
  };
};

/** A FeedService + IngestService client for the browser. */
export function createFeedmeshClient(options: BrowserClientOptions): FeedmeshClient {
  const feed = createBrowserTransport(options.baseUrl, options);
  // Engagement batches go with keepalive, so the flush on page hide is not cancelled by the unload
  // (browsers cap keepalive bodies at 64 KiB in flight: the default 100-event batch is ~15 KiB).
  const ingest = createBrowserTransport(options.ingestBaseUrl ?? options.baseUrl, { ...options, keepalive: true });
  return createFeedmeshClientFromTransports({ feed, ingest }, { lifecycle: options.flushOnPageHide === false ? undefined : pageHideHook });
}
