import { createRouterTransport } from '@connectrpc/connect';
import { FeedService, IngestService } from '@feedmesh/contracts';
import { describe, expect, it, vi } from 'vitest';
import { article } from '../test/support/fixtures.js';
import { createFeedmeshClientFromTransports } from './client.js';

describe('createFeedmeshClientFromTransports', () => {
  it('pages the feed over one transport and reports engagement over the other; close() flushes', async () => {
    const feedT = createRouterTransport(({ service }) => service(FeedService, { getFeed: () => ({ items: [article('a1')], nextCursor: '' }) }));
    const recorded: number[] = [];
    const ingestT = createRouterTransport(({ service }) =>
      service(IngestService, {
        recordEngagement: (req) => {
          recorded.push(req.events.length);
          return { accepted: req.events.length };
        },
      }),
    );
    const onClose = vi.fn();
    const client = createFeedmeshClientFromTransports({ feed: feedT, ingest: ingestT }, { onClose });
    const pages = [];
    for await (const page of client.feed('u1').pages()) pages.push(page);
    expect(pages.map((p) => p.cards.map((c) => c.kind))).toEqual([['article']]);
    const reporter = client.engagement('u1', { maxDelayMs: 60_000 });
    reporter.like('a1');
    reporter.view('a1');
    await client.close();
    expect(recorded).toEqual([2]);
    expect(onClose).toHaveBeenCalledOnce();
  });
});
