// The plain node:http2 gRPC transport against a loopback HTTP/2 server that misbehaves on purpose:
// every way a call can end must map to the status grpc-js would report.
import { create, toBinary } from '@bufbuild/protobuf';
import { RankResponseSchema } from '@feedmesh/contracts';
import * as http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { frameBytes } from '../body-template.js';
import { CallSlot } from '../call-slot.js';
import { resolveMethod } from '../method-resolver.js';
import { H2GrpcTransport } from './h2-grpc-transport.js';

const { OK, CANCELLED, DEADLINE_EXCEEDED, INTERNAL, UNAVAILABLE, UNIMPLEMENTED } = status;

type Behaviour = 'ok' | 'trailers-only' | 'http-404' | 'garbage' | 'hang' | 'reset';

const { method, path } = resolveMethod('RankingService/Rank');
const RESPONSE = frameBytes(toBinary(RankResponseSchema, create(RankResponseSchema, { modelVersion: 'm' })), true);

let server: http2.Http2Server | undefined;
let transport: H2GrpcTransport | undefined;
afterEach(async () => {
  transport?.close();
  transport = undefined;
  server?.close();
  server = undefined;
});

async function serve(behaviour: Behaviour, seen: http2.IncomingHttpHeaders[] = []): Promise<string> {
  server = http2.createServer();
  server.on('stream', (stream, headers) => {
    seen.push(headers);
    stream.on('error', () => {});
    stream.resume();
    stream.on('end', () => {
      switch (behaviour) {
        case 'ok':
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
          stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          return void stream.end(RESPONSE);
        case 'garbage':
          stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
          stream.once('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
          return void stream.end(Buffer.from([0, 0, 0, 0, 3, 0xff, 0xff, 0xff]));
        case 'trailers-only':
          return void stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '14', 'grpc-message': 'down' }, { endStream: true });
        case 'http-404':
          return void stream.respond({ ':status': 404 }, { endStream: true });
        case 'reset':
          return void stream.close(http2.constants.NGHTTP2_CANCEL);
        case 'hang':
          return;
      }
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Sends `count` calls, each on its own slot, and resolves with each call's status code. */
function call(target: string, count: number, { timeoutMs = 5000, decode = true } = {}): Promise<number[]> {
  transport = new H2GrpcTransport({ target, path, method, connections: 1, timeoutMs, metadata: [['x-tenant', 't1']], decodeResponses: decode });
  const codes: number[] = [];
  return new Promise((resolve) => {
    for (let i = 0; i < count; i++) {
      const slot = new CallSlot(i, (_slot, code) => {
        codes.push(code);
        if (codes.length === count) resolve(codes);
      });
      slot.traceparent = `00-${'ab'.repeat(16)}-${String(i).padStart(16, '0')}-01`;
      transport!.send(slot, frameBytes(new Uint8Array([0x0a, 0x01, 0x75]), true));
    }
  });
}

describe('H2GrpcTransport', () => {
  it('sends gRPC requests with the trace context and metadata, and decodes OK responses', async () => {
    const seen: http2.IncomingHttpHeaders[] = [];
    const codes = await call(await serve('ok', seen), 3);
    expect(codes).toEqual([OK, OK, OK]);
    expect(seen.map((h) => h.traceparent)).toEqual([0, 1, 2].map((i) => `00-${'ab'.repeat(16)}-${String(i).padStart(16, '0')}-01`));
    expect(seen[0]).toMatchObject({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': '5000m', 'x-tenant': 't1' });
  });

  it('maps trailers-only errors, HTTP errors, resets and malformed messages to gRPC codes', async () => {
    expect(await call(await serve('trailers-only'), 2)).toEqual([UNAVAILABLE, UNAVAILABLE]);
    transport!.close();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    expect(await call(await serve('http-404'), 1)).toEqual([UNIMPLEMENTED]);
    transport!.close();
    expect(await call(await serve('reset'), 1)).toEqual([CANCELLED]);
    transport!.close();
    expect(await call(await serve('garbage'), 1)).toEqual([INTERNAL]);
    transport!.close();
    // Without decoding, the same bytes only count as a response.
    expect(await call(await serve('garbage'), 1, { decode: false })).toEqual([OK]);
  });

  it('fails calls past their deadline even when the server never answers', async () => {
    const started = performance.now();
    const codes = await call(await serve('hang'), 4, { timeoutMs: 150 });
    const elapsed = performance.now() - started;
    expect(codes).toEqual([DEADLINE_EXCEEDED, DEADLINE_EXCEEDED, DEADLINE_EXCEEDED, DEADLINE_EXCEEDED]);
    expect(elapsed).toBeGreaterThanOrEqual(145);
    expect(elapsed).toBeLessThan(2000);
  });

  it('fails fast with UNAVAILABLE when nothing listens', async () => {
    const codes = await call('127.0.0.1:1', 3);
    expect(codes).toEqual([UNAVAILABLE, UNAVAILABLE, UNAVAILABLE]);
  });
});
