import { Writable } from 'node:stream';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { startTelemetry, type Telemetry } from './start-telemetry.js';
import { withSpan } from './with-span.js';

let telemetry: Telemetry;
const exporter = new InMemorySpanExporter();
const processor = new SimpleSpanProcessor({ exporter });

beforeAll(() => {
  // A private env object: nothing is exported and process.env is left alone.
  telemetry = startTelemetry({ serviceName: 'logger-test', spanProcessors: [processor], env: {} });
});
afterAll(() => telemetry.shutdown());

/** A logger writing to memory; each entry is one parsed JSON line. */
function memoryLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('feed-test', {}, destination), lines };
}

it('stamps a line logged inside an active span with its trace_id and span_id', async () => {
  const { logger, lines } = memoryLogger();
  const ids = await withSpan('feed.recall.query', { 'recall.strategy': 'following' }, async (span) => {
    logger.info({ items: 3 }, 'recalled');
    return span.spanContext();
  });

  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({
    service: 'feed-test',
    level: 'info',
    msg: 'recalled',
    items: 3,
    trace_id: ids.traceId,
    span_id: ids.spanId,
    trace_flags: '01',
  });
  expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
  // The span the line points at is a real, recorded one (export waits for resource detection).
  await processor.forceFlush();
  expect(exporter.getFinishedSpans().map((s) => s.name)).toContain('feed.recall.query');
});

it('uses the innermost span, and nothing outside spans', async () => {
  const { logger, lines } = memoryLogger();
  logger.info('before');
  const [outer, inner] = await withSpan('outer', {}, async (outerSpan) => {
    const innerContext = await withSpan('inner', {}, async (innerSpan) => {
      logger.info('inside inner');
      return innerSpan.spanContext();
    });
    logger.info('back in outer');
    return [outerSpan.spanContext(), innerContext];
  });
  logger.info('after');

  expect(lines.map((l) => [l.msg, l.trace_id, l.span_id])).toEqual([
    ['before', undefined, undefined],
    ['inside inner', inner.traceId, inner.spanId],
    ['back in outer', outer.traceId, outer.spanId],
    ['after', undefined, undefined],
  ]);
  expect(inner.traceId).toBe(outer.traceId);
  expect(trace.getActiveSpan()).toBeUndefined();
});
