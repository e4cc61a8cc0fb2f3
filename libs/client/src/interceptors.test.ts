import { createClient, createRouterTransport } from '@connectrpc/connect';
import { FeedService } from '@feedmesh/contracts';
import { describe, expect, it } from 'vitest';
import { clientInterceptors } from './interceptors.js';

function echoHeaders(interceptors: ReturnType<typeof clientInterceptors>) {
  const seen: Headers[] = [];
  const transport = createRouterTransport(
    ({ service }) => {
      service(FeedService, {
        getFeed(_req, ctx) {
          seen.push(ctx.requestHeader);
          return {};
        },
      });
    },
    { transport: { interceptors } },
  );
  return { client: createClient(FeedService, transport), seen };
}

describe('client interceptors', () => {
  it('auth sets a bearer token, from a string or a (async) function read on every call', async () => {
    let token: string | undefined = 't1';
    const { client, seen } = echoHeaders(clientInterceptors({ auth: async () => token, tracing: false }));
    await client.getFeed({ userId: 'u1' });
    token = undefined;
    await client.getFeed({ userId: 'u1' });
    expect(seen.map((h) => h.get('authorization'))).toEqual(['Bearer t1', null]);

    const fixed = echoHeaders(clientInterceptors({ auth: 'abc', headers: { 'x-client': 'web/1' }, tracing: false }));
    await fixed.client.getFeed({ userId: 'u1' });
    expect(fixed.seen[0]!.get('authorization')).toBe('Bearer abc');
    expect(fixed.seen[0]!.get('x-client')).toBe('web/1');
  });

  it('tracing is on by default (the otel-connect client interceptor), and the app’s interceptors run last', async () => {
    const order: string[] = [];
    const list = clientInterceptors({
      auth: 'x',
      interceptors: [
        (next) => (req) => {
          order.push(`app saw auth=${req.header.get('authorization')}`);
          return next(req);
        },
      ],
    });
    expect(list).toHaveLength(3);
    const { client } = echoHeaders(list);
    await client.getFeed({ userId: 'u1' });
    expect(order).toEqual(['app saw auth=Bearer x']);
    expect(clientInterceptors({ tracing: false })).toHaveLength(0);
  });
});
