import { create } from '@bufbuild/protobuf';
import { Int32ValueSchema, StringValueSchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, createRouterTransport } from '@connectrpc/connect';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EchoService } from '../test/support/echo-service.js';
import type { TestTracing } from '../test/support/test-tracing.js';
import { installTestTracing } from '../test/support/test-tracing.js';
import type { TracingInterceptorOptions } from './options.js';
import { createServerTracingInterceptor } from './server-interceptor.js';

const echoSpan = 'test.echo.v1.EchoService/Echo';
const countdownSpan = 'test.echo.v1.EchoService/Countdown';
const remoteTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
const remoteSpanId = '00f067aa0ba902b7';
const traceparent = `00-${remoteTraceId}-${remoteSpanId}-01`;

let tracing: TestTracing;
beforeAll(() => {
  tracing = installTestTracing();
});
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.exporter.reset());

/** What the handler saw of its context, each time it looked. */
interface HandlerView {
  activeSpanIds: (string | undefined)[];
  activeTraceIds: (string | undefined)[];
  baggageTiers: (string | undefined)[];
}

/**
 * An in-memory client for an EchoService whose router runs the server interceptor. `Echo` fails
 * as its input asks ("fail:internal", "fail:not_found", "throw" for a plain Error); `Countdown`
 * streams n..1, then fails with INTERNAL if n was negative. Both start a `handler-work` span, as a
 * pg or redis instrumentation would, whenever they look at their context.
 */
function echoClient(options: TracingInterceptorOptions = {}) {
  const view: HandlerView = { activeSpanIds: [], activeTraceIds: [], baggageTiers: [] };
  const handlerTracer = tracing.provider.getTracer('handler');
  const observe = () => {
    view.activeSpanIds.push(trace.getActiveSpan()?.spanContext().spanId);
    view.activeTraceIds.push(trace.getActiveSpan()?.spanContext().traceId);
    view.baggageTiers.push(propagation.getBaggage(context.active())?.getEntry('tier')?.value);
    handlerTracer.startSpan('handler-work').end();
  };
  const transport = createRouterTransport(
    (router) =>
      router.service(EchoService, {
        echo(req) {
          observe();
          if (req.value === 'throw') throw new Error('handler bug');
          if (req.value === 'fail:internal') throw new ConnectError('database down', Code.Internal);
          if (req.value === 'fail:not_found') throw new ConnectError('no such item', Code.NotFound);
          return create(StringValueSchema, { value: req.value });
        },
        async *countdown(req) {
          for (let n = Math.abs(req.value); n > 0; n--) {
            await new Promise((resolve) => setImmediate(resolve));
            observe(); // after an await, in the generator body that runs only when pulled
            yield create(StringValueSchema, { value: String(n) });
          }
          if (req.value < 0) throw new ConnectError('negative countdown', Code.Internal);
        },
      }),
    { router: { interceptors: [createServerTracingInterceptor({ tracerProvider: tracing.provider, ...options })] } },
  );
  return { client: createClient(EchoService, transport), view };
}

const say = (value: string) => create(StringValueSchema, { value });
const count = (value: number) => create(Int32ValueSchema, { value });

async function collect(stream: AsyncIterable<{ value: string }>): Promise<string[]> {
  const values: string[] = [];
  for await (const message of stream) values.push(message.value);
  return values;
}

describe('createServerTracingInterceptor', () => {
  it('records a unary call as a SERVER span with the RPC attributes', async () => {
    const { client } = echoClient();
    await client.echo(say('hi'));

    const span = tracing.span(echoSpan);
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.attributes).toMatchObject({
      'rpc.system.name': 'connectrpc',
      'rpc.method': echoSpan,
      'rpc.status_code': 'OK',
      'server.address': 'in-memory',
    });
    expect(span.attributes).not.toHaveProperty('error.type');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.instrumentationScope.name).toBe('@feedmesh/otel-connect');
  });

  it('runs the handler inside the server span, so its own spans are children', async () => {
    const { client, view } = echoClient();
    await client.echo(say('hi'));

    const server = tracing.span(echoSpan);
    expect(view.activeSpanIds).toEqual([server.spanContext().spanId]);
    const work = tracing.span('handler-work');
    expect(work.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(work.spanContext().traceId).toBe(server.spanContext().traceId);
  });

  it('continues the trace and baggage sent in the request headers', async () => {
    const { client, view } = echoClient();
    await client.echo(say('hi'), { headers: { traceparent, baggage: 'tier=gold' } });

    const span = tracing.span(echoSpan);
    expect(span.spanContext().traceId).toBe(remoteTraceId);
    expect(span.parentSpanContext?.spanId).toBe(remoteSpanId);
    expect(span.parentSpanContext?.isRemote).toBe(true);
    expect(view.baggageTiers).toEqual(['gold']);
  });

  it('starts a new trace when no context arrives', async () => {
    const { client } = echoClient();
    await client.echo(say('hi'));
    expect(tracing.span(echoSpan).parentSpanContext).toBeUndefined();
  });

  it('marks server failures as errors and records the exception', async () => {
    const { client } = echoClient();
    await expect(client.echo(say('fail:internal'))).rejects.toThrow('database down');

    const span = tracing.span(echoSpan);
    expect(span.attributes).toMatchObject({ 'rpc.status_code': 'INTERNAL', 'error.type': 'INTERNAL' });
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'database down' });
    expect(span.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('reports a plain thrown Error as the INTERNAL the caller receives, keeping its message in the span', async () => {
    const { client } = echoClient();
    await expect(client.echo(say('throw'))).rejects.toThrow('[internal] internal error');

    const span = tracing.span(echoSpan);
    expect(span.attributes).toMatchObject({ 'rpc.status_code': 'INTERNAL', 'error.type': 'INTERNAL' });
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'handler bug' });
    expect(span.events[0]?.attributes?.['exception.message']).toBe('handler bug');
  });

  it('records caller mistakes such as NOT_FOUND without marking the server span as failed', async () => {
    const { client } = echoClient();
    await expect(client.echo(say('fail:not_found'))).rejects.toThrow('no such item');

    const span = tracing.span(echoSpan);
    expect(span.attributes['rpc.status_code']).toBe('NOT_FOUND');
    expect(span.attributes).not.toHaveProperty('error.type');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.events).toEqual([]);
  });

  it('keeps a streaming call open until the last message, with every pull in its context', async () => {
    const { client, view } = echoClient();
    const stream = client.countdown(count(3));
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value?.value).toBe('3');
    expect(tracing.exporter.getFinishedSpans().filter((s) => s.name === countdownSpan)).toEqual([]);
    expect(await collect({ [Symbol.asyncIterator]: () => iterator })).toEqual(['2', '1']);

    const span = tracing.span(countdownSpan);
    expect(span.attributes['rpc.status_code']).toBe('OK');
    expect(view.activeSpanIds).toEqual(Array(3).fill(span.spanContext().spanId));
    const workParents = tracing.exporter
      .getFinishedSpans()
      .filter((s) => s.name === 'handler-work')
      .map((s) => s.parentSpanContext?.spanId);
    expect(workParents).toEqual(Array(3).fill(span.spanContext().spanId));
  });

  it('marks a stream that fails midway as an error, once', async () => {
    const { client } = echoClient();
    await expect(collect(client.countdown(count(-2)))).rejects.toThrow('negative countdown');

    const span = tracing.span(countdownSpan);
    expect(span.attributes).toMatchObject({ 'rpc.status_code': 'INTERNAL', 'error.type': 'INTERNAL' });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('leaves calls the filter rejects untraced', async () => {
    const { client, view } = echoClient({ filter: (req) => req.method.name !== 'Echo' });
    await client.echo(say('hi'));
    await collect(client.countdown(count(1)));

    expect(tracing.exporter.getFinishedSpans().map((s) => s.name).filter((n) => n !== 'handler-work')).toEqual([
      countdownSpan,
    ]);
    expect(view.activeSpanIds[0]).toBeUndefined();
  });

  it('adds the attributes the hook returns', async () => {
    const { client } = echoClient({ attributes: (req) => ({ 'app.rpc.kind': req.method.methodKind }) });
    await client.echo(say('hi'));
    expect(tracing.span(echoSpan).attributes['app.rpc.kind']).toBe('unary');
  });

  it('emits the deprecated attributes too when asked', async () => {
    const { client } = echoClient({ legacyAttributes: true });
    await expect(client.echo(say('fail:not_found'))).rejects.toThrow();

    expect(tracing.span(echoSpan).attributes).toMatchObject({
      'rpc.system': 'connect_rpc',
      'rpc.service': 'test.echo.v1.EchoService',
      'rpc.connect_rpc.error_code': 'not_found',
      'rpc.system.name': 'connectrpc',
      'rpc.status_code': 'NOT_FOUND',
    });
  });

  it('uses a tracer named by the options', async () => {
    const { client } = echoClient({ tracerName: 'feedmesh-render' });
    await client.echo(say('hi'));
    expect(tracing.span(echoSpan).instrumentationScope.name).toBe('feedmesh-render');
  });
  it('records nothing for an unsampled caller, builds no attributes, and still runs the handler in its trace', async () => {
    let built = 0;
    const { client, view } = echoClient({ attributes: () => (built++, { 'app.tenant': 'acme' }) });
    const unsampled = `00-${remoteTraceId}-${remoteSpanId}-00`;
    await client.echo(say('hi'), { headers: { traceparent: unsampled, baggage: 'tier=gold' } });
    await expect(client.echo(say('fail:internal'), { headers: { traceparent: unsampled } })).rejects.toThrow('database down');
    expect(await collect(client.countdown(count(2), { headers: { traceparent: unsampled } }))).toEqual(['2', '1']);

    // The handler's own work (a child of the server span) is not sampled either.
    expect(tracing.exporter.getFinishedSpans()).toEqual([]);
    expect(built).toBe(0);
    expect(view.baggageTiers[0]).toBe('gold');
    // Every look, in the unary handler and in each pull of the stream, saw a span of the caller's trace.
    expect(view.activeTraceIds).toEqual(Array(4).fill(remoteTraceId));
    expect(new Set(view.activeSpanIds).has(remoteSpanId)).toBe(false);
  });
});
