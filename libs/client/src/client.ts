// The client, over two transports the entry points build (connect-node in Node, connect-web in
// the browser): one to FeedService (the aggregator), one to IngestService.
import { createClient, type Client, type Transport } from '@connectrpc/connect';
import { FeedService, IngestService } from '@feedmesh/contracts';
import { createEngagementReporter, type EngagementReporter, type EngagementReporterOptions, type LifecycleHook } from './engagement-reporter.js';
import { createFeed, type Feed } from './feed.js';

export interface FeedmeshTransports {
  feed: Transport;
  /** Default: the feed transport (one gateway serving both services). */
  ingest?: Transport;
}

export interface FeedmeshClient {
  /** The raw FeedService client, for what the helpers do not cover. */
  readonly feedService: Client<typeof FeedService>;
  /** The raw IngestService client: Publish, Follow, Block, Mute, ShowLess... */
  readonly ingestService: Client<typeof IngestService>;
  /** One user's feed ("for-you" by default, or "following"). */
  feed(userId: string, options?: { feedId?: string }): Feed;
  /** An engagement reporter for one user; flushed on page hide / process exit and by `close()`. */
  engagement(userId: string, options?: EngagementReporterOptions): EngagementReporter;
  /** Flushes and closes every reporter this client made. */
  close(): Promise<void>;
}

export interface ClientEnvironment {
  /** "Flush now" hooks each reporter installs (page hide, process exit). */
  lifecycle?: LifecycleHook;
  /** Run by `close()` after the reporters are flushed (e.g. closing HTTP/2 sessions). */
  onClose?: () => void;
}

/** A client over transports of your own (a router transport in tests, a custom fetch...). */
export function createFeedmeshClientFromTransports(transports: FeedmeshTransports, { lifecycle, onClose }: ClientEnvironment = {}): FeedmeshClient {
  const feedService = createClient(FeedService, transports.feed);
  const ingestService = createClient(IngestService, transports.ingest ?? transports.feed);
  const reporters = new Set<EngagementReporter>();
  return {
    feedService,
    ingestService,
    feed: (userId, options = {}) => createFeed(feedService, userId, options.feedId ?? ''),
    engagement(userId, options) {
      const reporter = createEngagementReporter(ingestService, userId, options, lifecycle);
      reporters.add(reporter);
      return reporter;
    },
    async close() {
      await Promise.all([...reporters].map((r) => r.close()));
      reporters.clear();
      onClose?.();
    },
  };
}
