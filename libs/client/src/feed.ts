// One user's feed: pages as an async iterator that carries the cursor, plus the feed's other
// reads. `for await (const page of feed.pages({ pageSize: 20 }))`.
import { Code, ConnectError, type CallOptions, type Client } from '@connectrpc/connect';
import type { CountNewItemsResponse, ExplainFeedItemResponse, FeedDebug, FeedItem, FeedService, GetFeedResponse } from '@feedmesh/contracts';
import { renderable, type Card } from './cards.js';
import { createRestartPolicy, type RestartEvent } from './restart-policy.js';
import { retryLostAnswer, type RetryOptions } from './retry.js';

export interface FeedPage {
  /** 1-based number of the page in this iteration (1 again after a restart; 1 for `page()`). */
  number: number;
  /** The page's cards in display order; items of kinds this client does not know are left out. */
  cards: Card[];
  /** Items left out of `cards` (unknown kinds). */
  skipped: number;
  /** The raw items, for what cards do not carry. */
  items: FeedItem[];
  /** The cursor this page was requested with ("" for a first page). */
  cursor: string;
  /** The cursor of the next page; "" on the last page. Also what CountNewItems and `newerThan` take. */
  nextCursor: string;
  /** No page follows this one. */
  last: boolean;
  /** A stage failed and this page was served by a fallback (still a good page to show). */
  degraded: boolean;
  /** Why, e.g. ["ranking: unavailable"]; empty when not degraded. */
  degradedReasons: string[];
  /** This is the first page of a new session that replaced an expired one: the list starts over. */
  restarted: boolean;
  /** Present when the request set `debug`. */
  debug: FeedDebug | undefined;
}

export interface PagesOptions {
  /** Items per page, 1..100 (0 or unset: the server's default, 20). */
  pageSize?: number;
  /** Start with what is newer than the session of this cursor (the "N new posts" pill's page). */
  newerThan?: string;
  /** Continue a session from this cursor instead of starting one. */
  cursor?: string;
  /** Stage timings and score breakdowns on every page (`page.debug`). */
  debug?: boolean;
  /** Deadline of each GetFeed attempt; default: the client's. */
  timeoutMs?: number;
  /** Lost answers (Unavailable, DeadlineExceeded) retried with the same cursor. */
  retry?: RetryOptions;
  /** Told when an expired session (FailedPrecondition) restarts paging from the first page. */
  onRestart?: (event: RestartEvent) => void;
  /** Stops the iteration (the pending call is cancelled; the loop throws Canceled). */
  signal?: AbortSignal;
}

export interface Feed {
  readonly userId: string;
  readonly feedId: string;
  /** The feed's pages, first to last, each fetched when the loop asks for it. */
  pages(options?: PagesOptions): AsyncGenerator<FeedPage, void, undefined>;
  /** One page (the first when `cursor` is empty), with the same retry of a lost answer. */
  page(cursor?: string, options?: Omit<PagesOptions, 'cursor' | 'onRestart'>): Promise<FeedPage>;
  /** How many items are newer than the session of `cursor` ("N new posts"). */
  countNewItems(cursor: string, options?: CallOptions): Promise<CountNewItemsResponse>;
  /** "Why am I seeing this" for one item. */
  explain(itemId: string, options?: { cursor?: string; pageSize?: number } & CallOptions): Promise<ExplainFeedItemResponse>;
}

export function toPage(response: GetFeedResponse, cursor: string, number: number, restarted: boolean): FeedPage {
  const cards = renderable(response.items);
  return {
    number,
    cards,
    skipped: response.items.length - cards.length,
    items: response.items,
    cursor,
    nextCursor: response.nextCursor,
    last: response.nextCursor === '',
    degraded: response.degraded,
    degradedReasons: response.degradedReasons,
    restarted,
    debug: response.debug,
  };
}

export function createFeed(service: Client<typeof FeedService>, userId: string, feedId = ''): Feed {
  function fetchPage(cursor: string, newerThan: string, options: PagesOptions): Promise<GetFeedResponse> {
    const request = { userId, feedId, pageSize: options.pageSize ?? 0, cursor, newerThan, debug: options.debug ?? false };
    const callOptions: CallOptions = { timeoutMs: options.timeoutMs, signal: options.signal };
    return retryLostAnswer(() => service.getFeed(request, callOptions), options.retry, options.signal);
  }

  async function* pages(options: PagesOptions = {}): AsyncGenerator<FeedPage, void, undefined> {
    const policy = createRestartPolicy(1);
    let cursor = options.cursor ?? '';
    let newerThan = cursor === '' ? (options.newerThan ?? '') : '';
    let number = 0;
    let restarted = false;
    for (;;) {
      if (options.signal?.aborted) throw ConnectError.from(options.signal.reason ?? 'aborted', Code.Canceled);
      let response: GetFeedResponse;
      try {
        response = await fetchPage(cursor, newerThan, options);
      } catch (error) {
        const e = ConnectError.from(error);
        if (!policy.shouldRestart(e)) throw e;
        options.onRestart?.({ error: e, afterPage: number });
        cursor = '';
        newerThan = '';
        number = 0;
        restarted = true;
        continue;
      }
      number++;
      const page = toPage(response, cursor, number, restarted);
      restarted = false;
      newerThan = '';
      yield page;
      if (page.last) return;
      cursor = page.nextCursor;
    }
  }

  return {
    userId,
    feedId,
    pages,
    async page(cursor = '', options = {}) {
      const newerThan = cursor === '' ? (options.newerThan ?? '') : '';
      return toPage(await fetchPage(cursor, newerThan, options), cursor, 1, false);
    },
    countNewItems: (cursor, options) => service.countNewItems({ userId, feedId, cursor }, options),
    explain: (itemId, { cursor = '', pageSize = 0, ...options } = {}) => service.explainFeedItem({ userId, itemId, feedId, cursor, pageSize }, options),
  };
}
