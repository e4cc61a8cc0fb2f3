import { randomBytes } from 'node:crypto';
import type { SpawnedApp } from '@feedmesh/service-kit';
import type * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectJson } from './support/connect-json.js';
import { eventually, startEdge, startLeaf } from './support/fixture-apps.js';
import { OtlpCollector, SpanKindNumber, type CollectedSpan } from './support/otlp-collector.js';
import { callUnary, feedClient } from './support/standard-grpc.js';

// Edge → leaf, both exporting to a collector run by the test; the caller's context arrives as
// W3C headers from a client that has no OpenTelemetry of its own.
let collector: OtlpCollector;
let leaf: SpawnedApp;
let edge: SpawnedApp;
let grpcFeed: grpc.Client;

beforeAll(async () => {
  collector = await new OtlpCollector().start();
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '100',
  };
  leaf = await startLeaf(otel);
  edge = await startEdge(leaf, otel);
  grpcFeed = feedClient(edge.address);
});

afterAll(async () => {
  grpcFeed?.close();
  await edge?.stop();
  await leaf?.stop();
  await collector?.stop();
});

const isDbSpan = (system: string) => (s: CollectedSpan) =>
  s.attributes['db.system'] === system || s.attributes['db.system.name'] === system;

async function sendTraced(protocol: 'grpc' | 'connect-json') {
  const traceId = randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  const headers = {
    traceparent: `00-${traceId}-${parentSpanId}-01`,
    tracestate: 'vendor=opaque-value',
    baggage: 'tenant=acme,tier=gold',
  };
  const request = { userId: 'echo-baggage' };
  const response =
    protocol === 'grpc'
      ? await callUnary<{ degradedReasons: string[] }>(grpcFeed, 'GetFeed', request, { metadata: headers })
      : ((await connectJson(edge.port, 'feedmesh.feed.v1.FeedService/GetFeed', request, headers)).body as { degradedReasons: string[] });
  const leafReceived = JSON.parse(response.degradedReasons[0]) as { baggage: string; tracestate: string };
  return { traceId, parentSpanId, leafReceived };
}

describe.each(['grpc', 'connect-json'] as const)('trace context sent over %s', (protocol) => {
  it('continues the caller trace through edge and leaf down to the pg and redis spans', async () => {
    const { traceId, parentSpanId, leafReceived } = await sendTraced(protocol);

    const spans = await eventually('edge, leaf, pg and redis spans', () => {
      const inTrace = collector.inTrace(traceId);
      const found = {
        edgeServer: inTrace.find((s) => s.service === 'edge' && s.kind === SpanKindNumber.SERVER),
        edgeClient: inTrace.find((s) => s.service === 'edge' && s.kind === SpanKindNumber.CLIENT && s.name.includes('RankingService/Rank')),
        leafServer: inTrace.find((s) => s.service === 'leaf' && s.kind === SpanKindNumber.SERVER),
        pg: inTrace.filter(isDbSpan('postgresql')),
        redis: inTrace.filter(isDbSpan('redis')),
      };
      return found.edgeServer && found.edgeClient && found.leafServer && found.pg.length && found.redis.length ? found : undefined;
    }, 10_000);

    expect(spans.edgeServer!.parentSpanId).toBe(parentSpanId);
    expect(spans.edgeServer!.name).toContain('feedmesh.feed.v1.FeedService/GetFeed');
    expect(collector.descendsFrom(spans.edgeClient!, spans.edgeServer!)).toBe(true);
    expect(spans.leafServer!.parentSpanId).toBe(spans.edgeClient!.spanId);
    expect(spans.leafServer!.name).toContain('feedmesh.ranking.v1.RankingService/Rank');
    for (const db of [...spans.pg, ...spans.redis]) {
      expect(db.service).toBe('leaf');
      expect(collector.descendsFrom(db, spans.leafServer!), `${db.name} under the leaf server span`).toBe(true);
    }

    // tracestate and baggage cross both hops.
    expect(spans.edgeServer!.traceState).toBe('vendor=opaque-value');
    expect(spans.leafServer!.traceState).toBe('vendor=opaque-value');
    expect(leafReceived.tracestate).toBe('vendor=opaque-value');
    expect(leafReceived.baggage?.split(',').sort()).toEqual(['tenant=acme', 'tier=gold']);
  });
});
