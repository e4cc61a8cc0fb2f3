import { randomBytes } from 'node:crypto';
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { FeedService, RankingService } from '@feedmesh/contracts';
import * as grpc from '@grpc/grpc-js';
import { SpanKind, context, propagation, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServiceClient, type ServiceClient } from './client.js';
import { runApp, type RunningApp } from './run-app.js';
import type { ServiceRegistration } from './service-registration.js';

// What the apps' SDK setup (@feedmesh/telemetry) registers, set up here with the SDK packages it
// brings, in this test's own module instances: a context manager, the W3C propagators, and a
// provider exporting to memory. Head sampling as in production: a caller's sampled flag is
// followed (ParentBased), and a call arriving without a traceparent starts a trace the root
// sampler drops (ratio 0).
const exporter = new InMemorySpanExporter();
const exporting = new SimpleSpanProcessor({ exporter });
/** Counts spans started as recording ones (non-recording spans never reach a processor). */
let recordingStarted = 0;
const counting: SpanProcessor = {
  onStart: () => void recordingStarted++,
  onEnd: () => {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};
const headSampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) });
/** The attributes each span start handed the SDK (the sampler sees what startSpan was given). */
let startAttributes: Attributes[] = [];
const sampler: Sampler = {
  shouldSample(...args) {
    startAttributes.push(args[4]);
    return headSampler.shouldSample(...args);
  },
  toString: () => 'spy',
};
const provider = new TracerProvider({ sampler, spanProcessors: [counting, exporting] });

let leaf: RunningApp;
let edge: RunningApp;
let ranking: ServiceClient<typeof RankingService>;
let caller: grpc.Client;

const quiet = { PORT: '0', LOG_LEVEL: 'silent' };

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  // The leaf answers with the trace headers it received.
  const leafService: ServiceRegistration = {
    service: RankingService,
    impl: {
      rank: (_req: unknown, ctx: { requestHeader: Headers }) => ({
        modelVersion: JSON.stringify({ traceparent: ctx.requestHeader.get('traceparent'), baggage: ctx.requestHeader.get('baggage') }),
      }),
    } as never,
    access: 'mesh',
  };
  leaf = await runApp({ name: 'leaf', defaultPort: 0, setup: () => ({ services: [leafService] }) }, { env: quiet, handleSignals: false });
  ranking = createServiceClient(RankingService, { address: leaf.address });
  // The edge calls the leaf once per request, as the aggregator calls its downstreams.
  const edgeService: ServiceRegistration = {
    service: FeedService,
    impl: {
      getFeed: async () => {
        const ranked = await ranking.rank({ userId: 'u1' });
        return { degradedReasons: [ranked.modelVersion] };
      },
    } as never,
    access: 'mesh',
  };
  edge = await runApp({ name: 'edge', defaultPort: 0, setup: () => ({ services: [edgeService] }) }, { env: quiet, handleSignals: false });
  caller = new grpc.Client(edge.address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  caller?.close();
  await edge?.shutdown();
  ranking?.close();
  await leaf?.shutdown();
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

beforeEach(() => {
  exporter.reset();
  recordingStarted = 0;
  startAttributes = [];
});

const getFeed = FeedService.method.getFeed;

/** GetFeed from a caller without OpenTelemetry: the trace headers are plain metadata. */
function callEdge(headers: Record<string, string>): Promise<{ traceparent: string | null; baggage: string | null }> {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return new Promise((resolve, reject) =>
    caller.makeUnaryRequest(
      `/${FeedService.typeName}/${getFeed.name}`,
      (value: unknown) => Buffer.from(toBinary(getFeed.input, value as never)),
      (bytes: Buffer) => fromBinary(getFeed.output, bytes),
      create(getFeed.input, { userId: 'u1' }),
      metadata,
      { deadline: Date.now() + 5_000 },
      (error, response) => (error ? reject(error) : resolve(JSON.parse(response!.degradedReasons[0]!))),
    ),
  );
}

async function finishedSpans() {
  await exporting.forceFlush();
  return exporter.getFinishedSpans();
}

const ids = () => ({ traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') });
const traceparentPattern = (traceId: string, flags: string) => new RegExp(`^00-${traceId}-[0-9a-f]{16}-${flags}$`);

describe('an unsampled call', () => {
  it('(traceparent flags 00) records no span on either hop and still sends its traceparent downstream', async () => {
    const { traceId, spanId } = ids();
    const received = await callEdge({ traceparent: `00-${traceId}-${spanId}-00`, baggage: 'tenant=acme' });

    expect(received.traceparent).toMatch(traceparentPattern(traceId, '00'));
    expect(received.baggage).toBe('tenant=acme');
    expect(recordingStarted).toBe(0);
    expect(await finishedSpans()).toEqual([]);
    // Three spans were started (edge server, edge client, leaf server), all non-recording, and
    // no attributes were built for them.
    expect(startAttributes).toEqual([{}, {}, {}]);
  });

  it('(no traceparent, dropped by the root sampler) records nothing and sends its new trace id on', async () => {
    const received = await callEdge({});

    expect(received.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    expect(received.traceparent).not.toMatch(/^00-0{32}-/);
    expect(recordingStarted).toBe(0);
    expect(await finishedSpans()).toEqual([]);
    expect(startAttributes).toEqual([{}, {}, {}]);
  });
});

describe('a sampled call', () => {
  it('records the server and client spans with their names and RPC attributes, as one trace', async () => {
    const { traceId, spanId } = ids();
    const received = await callEdge({ traceparent: `00-${traceId}-${spanId}-01` });

    const spans = await finishedSpans();
    const byKind = (name: string, kind: SpanKind) => spans.filter((s) => s.name === name && s.kind === kind);
    const feedServer = byKind('feedmesh.feed.v1.FeedService/GetFeed', SpanKind.SERVER);
    const rankClient = byKind('feedmesh.ranking.v1.RankingService/Rank', SpanKind.CLIENT);
    const rankServer = byKind('feedmesh.ranking.v1.RankingService/Rank', SpanKind.SERVER);
    expect([feedServer.length, rankClient.length, rankServer.length]).toEqual([1, 1, 1]);
    expect(spans).toHaveLength(3);

    expect(feedServer[0]!.attributes).toEqual({
      'rpc.system.name': 'grpc',
      'rpc.system': 'grpc',
      'rpc.service': 'feedmesh.feed.v1.FeedService',
      'rpc.method': 'feedmesh.feed.v1.FeedService/GetFeed',
      'rpc.status_code': 'OK',
      'rpc.grpc.status_code': 0,
    });
    expect(rankClient[0]!.attributes).toEqual({
      'rpc.system.name': 'grpc',
      'rpc.system': 'grpc',
      'rpc.service': 'feedmesh.ranking.v1.RankingService',
      'rpc.method': 'feedmesh.ranking.v1.RankingService/Rank',
      'rpc.status_code': 'OK',
      'rpc.grpc.status_code': 0,
    });
    for (const span of spans) expect(span.spanContext().traceId).toBe(traceId);
    expect(feedServer[0]!.parentSpanContext?.spanId).toBe(spanId);
    expect(rankClient[0]!.parentSpanContext?.spanId).toBe(feedServer[0]!.spanContext().spanId);
    expect(rankServer[0]!.parentSpanContext?.spanId).toBe(rankClient[0]!.spanContext().spanId);
    expect(received.traceparent).toBe(`00-${traceId}-${rankClient[0]!.spanContext().spanId}-01`);
  });
});
