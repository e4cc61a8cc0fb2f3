/**
 * One server variant of the hop benchmark, run in its own process:
 *   bare    — @grpc/grpc-js Server with protobuf-es codecs, no tracing (the reference)
 *   kit     — the feedmesh service kit (runApp), tracing on
 *   connect — stock @connectrpc/connect-node on node:http2 (h2c, gRPC protocol)
 * Reports its port over IPC, then answers {cpu} requests with its CPU time so far.
 */
const variant = process.argv[2] as 'bare' | 'kit' | 'connect';
if (variant === 'kit' && !process.env.HOP_NO_TRACE) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('@feedmesh/telemetry') as typeof import('@feedmesh/telemetry')).startTelemetry({ serviceName: 'hop-bench' });
}

import { create, fromBinary, toBinary, type DescService } from '@bufbuild/protobuf';
import { RankingService, RenderService } from '@feedmesh/contracts';
import { methods, responseFor } from './messages.js';

async function main(): Promise<number> {
  const tiny = create(methods.tiny.output, responseFor('tiny'));
  const feed = create(methods.feed.output, responseFor('feed'));
  if (variant === 'bare') {
    const grpc = await import('@grpc/grpc-js');
    const server = new grpc.Server();
    for (const [method, response] of [[methods.tiny, tiny], [methods.feed, feed]] as const) {
      server.register(
        `/${method.parent.typeName}/${method.name}`,
        (_call: { request: unknown }, cb: (e: null, r: unknown) => void) => cb(null, response),
        (v: unknown) => Buffer.from(toBinary(method.output, v as never)),
        (b: Buffer) => fromBinary(method.input, b),
        'unary',
      );
    }
    return new Promise((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
  }
  if (variant === 'kit') {
    const { runApp, service } = await import('@feedmesh/service-kit');
    const app = await runApp(
      {
        name: 'hop-bench',
        defaultPort: 0,
        setup: () => ({
          services: [service(RankingService, { rank: () => tiny as never, rankBlock: () => tiny as never }, 'mesh'), service(RenderService, { render: () => feed as never }, 'mesh')],
        }),
      },
      { env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn' } },
    );
    return app.port;
  }
  const http2 = await import('node:http2');
  const { connectNodeAdapter } = await import('@connectrpc/connect-node');
  const handler = connectNodeAdapter({
    routes: (router) => {
      router.service(RankingService as DescService, { rank: () => tiny } as never);
      router.service(RenderService as DescService, { render: () => feed } as never);
    },
  });
  const server = http2.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}

void main().then((port) => {
  process.on('message', (message: { type: string }) => {
    if (message.type === 'cpu') {
      const usage = process.cpuUsage();
      process.send?.({ type: 'cpu', us: usage.user + usage.system });
    }
  });
  process.send?.({ type: 'listening', port });
});
