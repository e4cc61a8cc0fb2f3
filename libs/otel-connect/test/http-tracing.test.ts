import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { create } from '@bufbuild/protobuf';
import { Int32ValueSchema, StringValueSchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient } from '@connectrpc/connect';
import { connectNodeAdapter, createConnectTransport, createGrpcWebTransport } from '@connectrpc/connect-node';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createClientTracingInterceptor, createServerTracingInterceptor } from '../src/index.js';
import { EchoService } from './support/echo-service.js';
import type { TestTracing } from './support/test-tracing.js';
import { installTestTracing } from './support/test-tracing.js';

// Both interceptors over real HTTP/1.1: a connect-node server on a loopback port and connect-node
// clients, all in this process and reporting to one in-memory exporter.

const echoSpan = 'test.echo.v1.EchoService/Echo';
const countdownSpan = 'test.echo.v1.EchoService/Countdown';

let tracing: TestTracing;
let server: Server;
let baseUrl: string;
/** What the Echo handler saw of its context, per call. */
const seen: { spanId?: string; tier?: string }[] = [];

beforeAll(async () => {
  tracing = installTestTracing();
  const handler = connectNodeAdapter({
    interceptors: [createServerTracingInterceptor({ tracerProvider: tracing.provider, legacyAttributes: true })],
    routes: (router) =>
      router.service(EchoService, {
        echo(req) {
          seen.push({
            spanId: trace.getActiveSpan()?.spanContext().spanId,
            tier: propagation.getBaggage(context.active())?.getEntry('tier')?.value,
          });
          tracing.provider.getTracer('handler').startSpan('handler-work').end();
          if (req.value === 'fail') throw new ConnectError('database down', Code.Unavailable);
          return create(StringValueSchema, { value: req.value });
        },
        async *countdown(req, ctx) {
          for (let n = req.value; n > 0 && !ctx.signal.aborted; n--) {
            yield create(StringValueSchema, { value: String(n) });
            // Long countdowns tick slowly, so a test can hang up in the middle of one.
            if (req.value > 100) await new Promise((resolve) => setTimeout(resolve, 20));
          }
        },
      }),
  });
  server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await tracing.uninstall();
});

beforeEach(() => {
  tracing.exporter.reset();
  seen.length = 0;
});

/** A client whose transport (Connect JSON by default, or gRPC-Web) runs the client interceptor. */
function tracedClient(createTransport: typeof createConnectTransport | typeof createGrpcWebTransport = createConnectTransport) {
  const transport = createTransport({
    baseUrl,
    httpVersion: '1.1',
    useBinaryFormat: false,
    interceptors: [createClientTracingInterceptor({ tracerProvider: tracing.provider, legacyAttributes: true })],
  });
  return createClient(EchoService, transport);
}

/** Waits for a finished span: the server may end its span a moment after the client has its answer. */
async function finishedSpan(name: string, kind: SpanKind): Promise<ReadableSpan> {
  await expect
    .poll(() => tracing.exporter.getFinishedSpans().filter((s) => s.name === name && s.kind === kind).length, {
      timeout: 2000,
    })
    .toBe(1);
  return tracing.exporter.getFinishedSpans().find((s) => s.name === name && s.kind === kind)!;
}

describe('tracing over HTTP', () => {
  it('puts client, server and handler spans in one trace', async () => {
    const response = await tracedClient().echo(create(StringValueSchema, { value: 'hi' }));
    expect(response.value).toBe('hi');

    const clientSpan = await finishedSpan(echoSpan, SpanKind.CLIENT);
    const serverSpan = await finishedSpan(echoSpan, SpanKind.SERVER);
    const work = await finishedSpan('handler-work', SpanKind.INTERNAL);
    expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(work.parentSpanContext?.spanId).toBe(serverSpan.spanContext().spanId);
    expect(seen[0]?.spanId).toBe(serverSpan.spanContext().spanId);
    for (const span of [clientSpan, serverSpan]) {
      expect(span.attributes).toMatchObject({
        'rpc.system.name': 'connectrpc',
        'rpc.method': echoSpan,
        'rpc.status_code': 'OK',
        'server.address': '127.0.0.1',
        'server.port': Number(new URL(baseUrl).port),
        'rpc.system': 'connect_rpc',
        'rpc.service': 'test.echo.v1.EchoService',
      });
    }
  });

  it('reports a server failure with its code and ERROR status on both sides', async () => {
    await expect(tracedClient().echo(create(StringValueSchema, { value: 'fail' }))).rejects.toMatchObject({
      code: Code.Unavailable,
    });

    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      const span = await finishedSpan(echoSpan, kind);
      expect(span.attributes).toMatchObject({
        'rpc.status_code': 'UNAVAILABLE',
        'error.type': 'UNAVAILABLE',
        'rpc.connect_rpc.error_code': 'unavailable',
      });
      expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'database down' });
    }
  });

  it('honours a traceparent and baggage sent by a plain HTTP client', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const parentSpanId = 'b7ad6b7169203331';
    const response = await fetch(`${baseUrl}/test.echo.v1.EchoService/Echo`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${parentSpanId}-01`,
        baggage: 'tier=gold',
      },
      body: JSON.stringify('hi'),
    });
    expect(await response.json()).toBe('hi');

    const serverSpan = await finishedSpan(echoSpan, SpanKind.SERVER);
    expect(serverSpan.spanContext().traceId).toBe(traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(seen[0]?.tier).toBe('gold');
  });

  it('carries the caller’s baggage to the handler', async () => {
    const client = tracedClient();
    const withBaggage = propagation.setBaggage(
      context.active(),
      propagation.createBaggage({ tier: { value: 'silver' } }),
    );
    await context.with(withBaggage, () => client.echo(create(StringValueSchema, { value: 'hi' })));
    expect(seen[0]?.tier).toBe('silver');
  });

  it('traces a server stream end to end', async () => {
    const values: string[] = [];
    for await (const message of tracedClient().countdown(create(Int32ValueSchema, { value: 3 }))) {
      values.push(message.value);
    }
    expect(values).toEqual(['3', '2', '1']);

    const clientSpan = await finishedSpan(countdownSpan, SpanKind.CLIENT);
    const serverSpan = await finishedSpan(countdownSpan, SpanKind.SERVER);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(serverSpan.attributes['rpc.status_code']).toBe('OK');
  });

  it('names the system grpc for gRPC-Web calls, with the numeric legacy status', async () => {
    await expect(
      tracedClient(createGrpcWebTransport).echo(create(StringValueSchema, { value: 'fail' })),
    ).rejects.toMatchObject({ code: Code.Unavailable });

    for (const kind of [SpanKind.CLIENT, SpanKind.SERVER]) {
      const span = await finishedSpan(echoSpan, kind);
      expect(span.attributes).toMatchObject({
        'rpc.system.name': 'grpc',
        'rpc.system': 'grpc',
        'rpc.status_code': 'UNAVAILABLE',
        'rpc.grpc.status_code': 14,
      });
    }
  });

  it('ends the server span as CANCELLED, without failing it, when the client hangs up mid-stream', async () => {
    const abort = new AbortController();
    const stream = tracedClient().countdown(create(Int32ValueSchema, { value: 1000 }), { signal: abort.signal });
    for await (const message of stream) {
      expect(message.value).toBe('1000');
      abort.abort();
      break;
    }

    const serverSpan = await finishedSpan(countdownSpan, SpanKind.SERVER);
    expect(serverSpan.attributes['rpc.status_code']).toBe('CANCELLED');
    expect(serverSpan.status.code).toBe(SpanStatusCode.UNSET);
    const clientSpan = await finishedSpan(countdownSpan, SpanKind.CLIENT);
    expect(clientSpan.attributes['rpc.status_code']).toBe('CANCELLED');
    expect(clientSpan.status.code).toBe(SpanStatusCode.ERROR);
  });
});
