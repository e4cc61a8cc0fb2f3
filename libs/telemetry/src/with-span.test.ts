import { ROOT_CONTEXT, SpanStatusCode, TraceFlags, context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTelemetry, type Telemetry } from './start-telemetry.js';
import { withSpan } from './with-span.js';

let telemetry: Telemetry;
const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter });

beforeAll(() => {
  telemetry = startTelemetry({ serviceName: 'with-span-test', spanProcessors: [processor], env: {} });
});
afterAll(() => telemetry.shutdown());
beforeEach(() => exporter.reset());

async function finished() {
  await processor.forceFlush();
  return exporter.getFinishedSpans();
}

/** A context continuing a remote caller's trace, sampled or not (default ParentBased sampler). */
function remoteParent(sampled: boolean) {
  const spanContext = {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: '00f067aa0ba902b7',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: true,
  };
  return trace.setSpanContext(ROOT_CONTEXT, spanContext);
}

describe('withSpan under an unsampled parent', () => {
  it('runs fn in a non-recording child of the trace and never builds lazy attributes', async () => {
    let built = 0;
    const attributes = () => {
      built++;
      return { 'recall.strategy': 'following' };
    };
    const seen = await context.with(remoteParent(false), () =>
      withSpan('feed.recall.query', attributes, async (span) => {
        span.setAttributes({ 'recall.count': 3 });
        return { recording: span.isRecording(), active: trace.getActiveSpan()?.spanContext(), own: span.spanContext() };
      }),
    );
    expect(built).toBe(0);
    expect(seen.recording).toBe(false);
    expect(seen.active).toEqual(seen.own);
    expect(seen.own.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(seen.own.traceFlags).toBe(TraceFlags.NONE);
    expect(await finished()).toEqual([]);
  });

  it('passes failures through', async () => {
    const failing = context.with(remoteParent(false), () =>
      withSpan('feed.ranking.score', {}, async () => {
        throw new Error('model missing');
      }),
    );
    await expect(failing).rejects.toThrow('model missing');
    expect(await finished()).toEqual([]);
  });
});

describe('withSpan under a sampled parent', () => {
  it('records the span with attributes given as an object or built by a function', async () => {
    await context.with(remoteParent(true), async () => {
      await withSpan('eager', { 'feed.first_page': true }, async () => undefined);
      await withSpan('lazy', () => ({ 'feed.session_id': 's1' }), async (span) => span.setAttributes({ 'feed.served': 2 }));
    });
    const spans = await finished();
    expect(spans.map((s) => [s.name, s.attributes, s.parentSpanContext?.spanId])).toEqual([
      ['eager', { 'feed.first_page': true }, '00f067aa0ba902b7'],
      ['lazy', { 'feed.session_id': 's1', 'feed.served': 2 }, '00f067aa0ba902b7'],
    ]);
  });

  it('records a failure as an exception event and ERROR status, and ends the span', async () => {
    const failing = context.with(remoteParent(true), () =>
      withSpan('feed.ranking.score', { 'candidate.count': 3 }, async () => {
        throw new Error('model missing');
      }),
    );
    await expect(failing).rejects.toThrow('model missing');
    const [span] = await finished();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: 'model missing' });
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
    expect(span?.attributes).toEqual({ 'candidate.count': 3 });
  });
});
