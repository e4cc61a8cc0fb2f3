import { createServer, type AddressInfo, type Server } from 'node:net';
import { RenderService } from '@feedmesh/contracts';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { createServiceClient, type ServiceClient } from './client.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const renderPath = `/${RenderService.typeName}/${RenderService.method.render.name}`;

let closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.reverse()) await close();
  closers = [];
});

/** A port whose every connection is closed at once (a restarting app), counting the attempts. */
async function refusingPort(): Promise<{ server: Server; port: number; attempts: number[] }> {
  const attempts: number[] = [];
  const server = createServer((socket) => {
    attempts.push(Date.now());
    socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, attempts };
}

/** A grpc-js server answering Render with an empty response, on `port`. */
async function renderServer(port: number): Promise<grpc.Server> {
  const server = new grpc.Server();
  server.register(
    renderPath,
    (_call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, Buffer.alloc(0)),
    (b: Buffer) => b,
    (b: Buffer) => b,
    'unary',
  );
  await new Promise<void>((resolve, reject) => server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? reject(e) : resolve())));
  return server;
}

function renderClient(port: number): ServiceClient<typeof RenderService> {
  const client = createServiceClient(RenderService, { address: `127.0.0.1:${port}`, maxRetries: 0, defaultTimeoutMs: 200 });
  closers.push(() => client.close());
  return client;
}

describe('grpc transport reconnects', () => {
  it('keeps trying to connect at least twice a second, however long the server is away', async () => {
    const refusing = await refusingPort();
    closers.push(() => new Promise((r) => refusing.server.close(r)));
    const client = renderClient(refusing.port);
    // Light traffic for 4 s: grpc-js's default backoff (1 s × 1.6ⁿ) would try at ~0, 1, 2.6 s.
    const until = Date.now() + 4_000;
    while (Date.now() < until) {
      await client.render({ userId: 'u1', itemIds: ['i1'] }).catch(() => undefined);
      await sleep(20);
    }
    const gaps = refusing.attempts.slice(1).map((at, i) => at - refusing.attempts[i]!);
    expect(refusing.attempts.length, `attempt gaps ${gaps.join(', ')} ms`).toBeGreaterThanOrEqual(8);
    // The 500 ms cap plus grpc-js's 20 % jitter and one call's pause.
    expect(Math.max(...gaps), `attempt gaps ${gaps.join(', ')} ms`).toBeLessThan(700);
  });

  it('serves calls again soon after the server is back on its port', async () => {
    const refusing = await refusingPort();
    const client = renderClient(refusing.port);
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      await client.render({ userId: 'u1', itemIds: ['i1'] }).catch(() => undefined);
      await sleep(20);
    }
    await new Promise((r) => refusing.server.close(r));
    const server = await renderServer(refusing.port);
    closers.push(() => server.forceShutdown());
    const backAt = Date.now();
    for (;;) {
      const ok = await client.render({ userId: 'u1', itemIds: ['i1'] }).then(
        () => true,
        () => false,
      );
      if (ok) break;
      expect(Date.now() - backAt, 'no successful call within 0.8 s of the server being back').toBeLessThan(800);
      await sleep(20);
    }
  });
});
