import { create } from '@bufbuild/protobuf';
import { Int32ValueSchema, StringValueSchema } from '@bufbuild/protobuf/wkt';
import { Code, ConnectError, createClient, createContextValues, createRouterTransport } from '@connectrpc/connect';
import type { StreamRequest, StreamResponse } from '@connectrpc/connect';
import { context, propagation, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EchoService } from '../test/support/echo-service.js';
import type { TestTracing } from '../test/support/test-tracing.js';
import { installTestTracing } from '../test/support/test-tracing.js';
import { createClientTracingInterceptor } from './client-interceptor.js';
import type { TracingInterceptorOptions } from './options.js';

const echoSpan = 'test.echo.v1.EchoService/Echo';
const countdownSpan = 'test.echo.v1.EchoService/Countdown';

let tracing: TestTracing;
beforeAll(() => {
  tracing = installTestTracing();
});
afterAll(() => tracing.uninstall());
beforeEach(() => tracing.exporter.reset());

/**
 * A client with the client interceptor, calling an in-memory EchoService (untraced) that records
 * the `traceparent` and `baggage` headers it receives. `Echo` fails with NOT_FOUND for "missing";
 * `Countdown` streams n..1, then fails with UNAVAILABLE if n was negative.
 */
function echoClient(options: TracingInterceptorOptions = {}) {
  const received: { traceparent: string | null; baggage: string | null }[] = [];
  const transport = createRouterTransport(
    (router) =>
      router.service(EchoService, {
        echo(req, ctx) {
          received.push({ traceparent: ctx.requestHeader.get('traceparent'), baggage: ctx.requestHeader.get('baggage') });
          if (req.value === 'missing') throw new ConnectError('no such item', Code.NotFound);
          return create(StringValueSchema, { value: req.value });
        },
        async *countdown(req) {
          for (let n = Math.abs(req.value); n > 0; n--) yield create(StringValueSchema, { value: String(n) });
          if (req.value < 0) throw new ConnectError('shard offline', Code.Unavailable);
        },
      }),
    { transport: { interceptors: [createClientTracingInterceptor({ tracerProvider: tracing.provider, ...options })] } },
  );
  return { client: createClient(EchoService, transport), received };
}

const say = (value: string) => create(StringValueSchema, { value });
const count = (value: number) => create(Int32ValueSchema, { value });

describe('createClientTracingInterceptor', () => {
  it('records a unary call as a CLIENT span and sends its context in traceparent', async () => {
    const { client, received } = echoClient();
    await client.echo(say('hi'));

    const span = tracing.span(echoSpan);
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'rpc.system.name': 'connectrpc',
      'rpc.method': echoSpan,
      'rpc.status_code': 'OK',
      'server.address': 'in-memory',
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const { traceId, spanId } = span.spanContext();
    expect(received[0]?.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it('is a child of the span active when the call is made, and carries the active baggage', async () => {
    const { client, received } = echoClient();
    const parent = tracing.provider.getTracer('app').startSpan('handle-request');
    const baggage = propagation.createBaggage({ tier: { value: 'gold' } });
    const callerContext = propagation.setBaggage(trace.setSpan(context.active(), parent), baggage);
    await context.with(callerContext, () => client.echo(say('hi')));
    parent.end();

    const span = tracing.span(echoSpan);
    expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(span.spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(received[0]?.baggage).toBe('tier=gold');
  });

  it('treats every non-OK code as a failed call', async () => {
    const { client } = echoClient();
    await expect(client.echo(say('missing'))).rejects.toThrow('no such item');

    const span = tracing.span(echoSpan);
    expect(span.attributes).toMatchObject({ 'rpc.status_code': 'NOT_FOUND', 'error.type': 'NOT_FOUND' });
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'no such item' });
    expect(span.events.map((event) => event.name)).toEqual(['exception']);
  });

  it('ends a streaming span only once the stream is read to the end', async () => {
    const { client } = echoClient();
    const iterator = client.countdown(count(2))[Symbol.asyncIterator]();
    await iterator.next();
    expect(tracing.exporter.getFinishedSpans()).toEqual([]);
    await iterator.next();
    const last = await iterator.next();
    expect(last.done).toBe(true);

    expect(tracing.span(countdownSpan).attributes['rpc.status_code']).toBe('OK');
  });

  it('ends a streaming span as CANCELLED when the caller stops reading and aborts', async () => {
    const { client } = echoClient();
    const abort = new AbortController();
    for await (const message of client.countdown(count(5), { signal: abort.signal })) {
      if (message.value === '4') break;
    }
    expect(tracing.exporter.getFinishedSpans()).toEqual([]);
    abort.abort();

    const span = tracing.span(countdownSpan);
    expect(span.attributes).toMatchObject({ 'rpc.status_code': 'CANCELLED', 'error.type': 'CANCELLED' });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('records the code of a stream that fails midway', async () => {
    const { client } = echoClient();
    const values: string[] = [];
    await expect(async () => {
      for await (const message of client.countdown(count(-2))) values.push(message.value);
    }).rejects.toThrow('shard offline');

    expect(values).toEqual(['2', '1']);
    const span = tracing.span(countdownSpan);
    expect(span.attributes).toMatchObject({ 'rpc.status_code': 'UNAVAILABLE', 'error.type': 'UNAVAILABLE' });
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('records a call the caller aborts as CANCELLED', async () => {
    const { client } = echoClient();
    await expect(client.echo(say('hi'), { signal: AbortSignal.abort() })).rejects.toThrow();

    expect(tracing.span(echoSpan).attributes).toMatchObject({ 'rpc.status_code': 'CANCELLED', 'error.type': 'CANCELLED' });
  });

  it('neither traces nor propagates calls the filter rejects', async () => {
    const { client, received } = echoClient({ filter: () => false });
    await client.echo(say('hi'));
    expect(tracing.exporter.getFinishedSpans()).toEqual([]);
    expect(received[0]?.traceparent).toBeNull();
  });

  it('emits the deprecated attributes too when asked', async () => {
    const { client } = echoClient({ legacyAttributes: true });
    await client.echo(say('hi'));
    const attributes = tracing.span(echoSpan).attributes;
    expect(attributes).toMatchObject({ 'rpc.system': 'connect_rpc', 'rpc.service': 'test.echo.v1.EchoService' });
    // Connect's old convention has an error code only for failures, and no numeric status.
    expect(attributes).not.toHaveProperty('rpc.connect_rpc.error_code');
    expect(attributes).not.toHaveProperty('rpc.grpc.status_code');
  });

  it('ends a streaming span, unfailed, when a reader closes the stream early', async () => {
    // Connect's promise client hides return(); code that reads a transport's stream directly
    // (or a future client) can close it, and the span must end then.
    let closed = false;
    async function* messages() {
      try {
        yield say('2');
        yield say('1');
      } finally {
        closed = true;
      }
    }
    const req: StreamRequest = {
      stream: true,
      service: EchoService,
      method: EchoService.method.countdown,
      requestMethod: 'POST',
      url: 'http://echo.test/test.echo.v1.EchoService/Countdown',
      signal: new AbortController().signal,
      header: new Headers({ 'content-type': 'application/connect+json' }),
      contextValues: createContextValues(),
      message: (async function* () {})(),
    };
    const next = async (call: StreamRequest): Promise<StreamResponse> => ({
      stream: true,
      service: call.service,
      method: call.method,
      header: new Headers(),
      trailer: new Headers(),
      message: messages(),
    });
    const traced = createClientTracingInterceptor({ tracerProvider: tracing.provider })(next as never);
    const res = (await traced(req)) as StreamResponse;
    for await (const message of res.message) {
      expect(message).toMatchObject({ value: '2' });
      break;
    }

    expect(closed).toBe(true);
    const span = tracing.span(countdownSpan);
    expect(span.attributes).toMatchObject({ 'rpc.status_code': 'OK', 'server.address': 'echo.test', 'server.port': 80 });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });
  it('under an unsampled parent records nothing, builds no attributes, and still sends the unsampled traceparent', async () => {
    let built = 0;
    const { client, received } = echoClient({ attributes: () => (built++, { 'app.tenant': 'acme' }) });
    const remote = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: TraceFlags.NONE, isRemote: true };
    await context.with(trace.setSpanContext(context.active(), remote), () => client.echo(say('hi')));
    const values: string[] = [];
    await context.with(trace.setSpanContext(context.active(), remote), async () => {
      for await (const message of client.countdown(count(2))) values.push(message.value);
    });

    expect(values).toEqual(['2', '1']);
    expect(tracing.exporter.getFinishedSpans()).toEqual([]);
    expect(built).toBe(0);
    expect(received[0]?.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
    expect(received[0]?.traceparent).not.toContain(remote.spanId);
  });
});
