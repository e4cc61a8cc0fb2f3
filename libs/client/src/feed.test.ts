import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { FeedService, type FeedItem, type GetFeedRequest } from '@feedmesh/contracts';
import { describe, expect, it, vi } from 'vitest';
import { article, futureKind, live, video } from '../test/support/fixtures.js';
import { createFeed, type FeedPage } from './feed.js';
import type { RestartEvent } from './restart-policy.js';

/** Page n of a session: 2 items; pages 1..3, then the end. */
const pagesOf: Record<string, { items: FeedItem[]; nextCursor: string }> = {
  '': { items: [article('a1'), video('v1')], nextCursor: 'c1' },
  c1: { items: [live('l1'), futureKind('f1'), article('a2')], nextCursor: 'c2' },
  c2: { items: [video('v2')], nextCursor: '' },
};

/**
 * A FeedService whose GetFeed serves pagesOf; `fail(cursor)` returns an error to throw for a
 * request (undefined: answer). Requests are recorded.
 */
function fakeFeed(fail: (req: GetFeedRequest, n: number) => ConnectError | undefined = () => undefined, degradedAt = '') {
  const requests: GetFeedRequest[] = [];
  const transport = createRouterTransport(({ service }) => {
    service(FeedService, {
      getFeed(req) {
        requests.push(req);
        const error = fail(req, requests.length);
        if (error) throw error;
        const page = pagesOf[req.cursor]!;
        const degraded = req.cursor === degradedAt;
        return { ...page, degraded, degradedReasons: degraded ? ['ranking: unavailable'] : [] };
      },
      countNewItems: (req) => ({ count: req.cursor === 'c1' ? 3 : 0, more: false }),
    });
  });
  const feed = createFeed(createClient(FeedService, transport), 'u1', 'for-you');
  return { feed, requests, cursors: () => requests.map((r) => r.cursor) };
}

async function collect(iterable: AsyncIterable<FeedPage>): Promise<FeedPage[]> {
  const pages: FeedPage[] = [];
  for await (const page of iterable) pages.push(page);
  return pages;
}

const noWait = { maxRetries: 2, backoffMs: 0 };

describe('pages()', () => {
  it('carries the cursor from page to page until the last, with typed cards and the page size', async () => {
    const { feed, requests, cursors } = fakeFeed();
    const pages = await collect(feed.pages({ pageSize: 2 }));
    expect(cursors()).toEqual(['', 'c1', 'c2']);
    expect(requests.every((r) => r.userId === 'u1' && r.feedId === 'for-you' && r.pageSize === 2 && r.newerThan === '')).toBe(true);
    expect(pages.map((p) => [p.number, p.cursor, p.nextCursor, p.last])).toEqual([
      [1, '', 'c1', false],
      [2, 'c1', 'c2', false],
      [3, 'c2', '', true],
    ]);
    expect(pages[1]!.cards.map((c) => c.kind)).toEqual(['live', 'article']);
    expect(pages[1]!.skipped).toBe(1);
    expect(pages[1]!.items).toHaveLength(3);
  });

  it('stops when the loop breaks: no request for a page nobody asked for', async () => {
    const { feed, cursors } = fakeFeed();
    for await (const page of feed.pages()) if (page.number === 2) break;
    expect(cursors()).toEqual(['', 'c1']);
  });

  it('retries a lost answer (Unavailable, DeadlineExceeded) with the same cursor', async () => {
    const { feed, cursors } = fakeFeed((req, n) => {
      if (req.cursor === 'c1' && n === 2) return new ConnectError('connection reset', Code.Unavailable);
      if (req.cursor === 'c2' && n === 4) return new ConnectError('too late', Code.DeadlineExceeded);
      return undefined;
    });
    const retried: Code[] = [];
    const pages = await collect(feed.pages({ retry: { ...noWait, onRetry: (e) => retried.push(e.code) } }));
    expect(cursors()).toEqual(['', 'c1', 'c1', 'c2', 'c2']);
    expect(pages.map((p) => p.cursor)).toEqual(['', 'c1', 'c2']);
    expect(retried).toEqual([Code.Unavailable, Code.DeadlineExceeded]);
  });

  it('gives up after maxRetries, and never retries an error that is not a lost answer', async () => {
    const down = fakeFeed((req) => (req.cursor === 'c1' ? new ConnectError('down', Code.Unavailable) : undefined));
    await expect(collect(down.feed.pages({ retry: noWait }))).rejects.toMatchObject({ code: Code.Unavailable });
    expect(down.cursors()).toEqual(['', 'c1', 'c1', 'c1']);

    const bad = fakeFeed((req) => (req.cursor === 'c1' ? new ConnectError('cursor: bad', Code.InvalidArgument) : undefined));
    await expect(collect(bad.feed.pages({ retry: noWait }))).rejects.toMatchObject({ code: Code.InvalidArgument });
    expect(bad.cursors()).toEqual(['', 'c1']);
  });

  it('restarts from the first page once on FailedPrecondition, reporting it; a second one is thrown', async () => {
    let expired = 0;
    const { feed, cursors } = fakeFeed((req) => {
      if (req.cursor === 'c2' && expired < 2) {
        expired++;
        return new ConnectError('paging session expired; request the first page', Code.FailedPrecondition);
      }
      return undefined;
    });
    const restarts: RestartEvent[] = [];
    const onRestart = vi.fn((e: RestartEvent) => restarts.push(e));
    const pages: FeedPage[] = [];
    await expect(
      (async () => {
        for await (const page of feed.pages({ retry: noWait, onRestart })) pages.push(page);
      })(),
    ).rejects.toMatchObject({ code: Code.FailedPrecondition });
    expect(cursors()).toEqual(['', 'c1', 'c2', '', 'c1', 'c2']);
    expect(onRestart).toHaveBeenCalledTimes(1);
    expect(restarts[0]!.afterPage).toBe(2);
    expect(restarts[0]!.error.code).toBe(Code.FailedPrecondition);
    expect(pages.map((p) => [p.number, p.restarted])).toEqual([
      [1, false],
      [2, false],
      [1, true],
      [2, false],
    ]);
  });

  it('one restart, then the new session pages on to the end', async () => {
    let expired = false;
    const { feed, cursors } = fakeFeed((req) => {
      if (req.cursor === 'c1' && !expired) {
        expired = true;
        return new ConnectError('paging session state was lost', Code.FailedPrecondition);
      }
      return undefined;
    });
    const onRestart = vi.fn();
    const pages = await collect(feed.pages({ onRestart }));
    expect(cursors()).toEqual(['', 'c1', '', 'c1', 'c2']);
    expect(onRestart).toHaveBeenCalledOnce();
    expect(pages.map((p) => p.number)).toEqual([1, 1, 2, 3]);
    expect(pages[1]!.restarted).toBe(true);
  });

  it('surfaces degraded and its reasons on every page', async () => {
    const { feed } = fakeFeed(undefined, 'c1');
    const pages = await collect(feed.pages());
    expect(pages.map((p) => [p.degraded, p.degradedReasons])).toEqual([
      [false, []],
      [true, ['ranking: unavailable']],
      [false, []],
    ]);
  });

  it('starts with newerThan (the new-posts page), then pages with cursors; continues from a given cursor', async () => {
    const newer = fakeFeed();
    await collect(newer.feed.pages({ newerThan: 'c9' }));
    expect(newer.requests.map((r) => [r.cursor, r.newerThan])).toEqual([
      ['', 'c9'],
      ['c1', ''],
      ['c2', ''],
    ]);
    const resumed = fakeFeed();
    expect((await collect(resumed.feed.pages({ cursor: 'c1' }))).map((p) => p.number)).toEqual([1, 2]);
    expect(resumed.cursors()).toEqual(['c1', 'c2']);
  });

  it('an aborted signal stops paging with Canceled', async () => {
    const { feed, cursors } = fakeFeed();
    const controller = new AbortController();
    await expect(
      (async () => {
        for await (const page of feed.pages({ signal: controller.signal })) if (page.number === 1) controller.abort();
      })(),
    ).rejects.toMatchObject({ code: Code.Canceled });
    expect(cursors()).toEqual(['']);
  });

  it('page() and countNewItems()', async () => {
    const { feed } = fakeFeed();
    expect((await feed.page('c2')).cards.map((c) => c.id)).toEqual(['v2']);
    expect(await feed.countNewItems('c1')).toMatchObject({ count: 3, more: false });
  });
});
