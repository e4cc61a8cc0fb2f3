import { type Attributes, type Span, SpanStatusCode, context, trace } from '@opentelemetry/api';

const tracer = trace.getTracer('feedmesh');

/** Span attributes, or a function building them, called only if the span records (is sampled). */
export type SpanAttributes = Attributes | (() => Attributes);

/**
 * Runs `fn` inside a child span named `name`; records failures and always ends the span.
 *
 * Under an unsampled parent the SDK hands out a non-recording span; `attributes` are then not
 * set (and, given as a function, not even built), so an unsampled request pays for little more
 * than the context switch. Attributes are set just after the span starts: a sampler sees none.
 */
export function withSpan<T>(name: string, attributes: SpanAttributes, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = context.active();
  const span = tracer.startSpan(name, undefined, parent);
  if (span.isRecording()) span.setAttributes(typeof attributes === 'function' ? attributes() : attributes);
  return context.with(trace.setSpan(parent, span), runInSpan<T>, undefined, span, fn);
}

async function runInSpan<T>(span: Span, fn: (span: Span) => Promise<T>): Promise<T> {
  try {
    return await fn(span);
  } catch (error) {
    if (span.isRecording()) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    }
    throw error;
  } finally {
    span.end();
  }
}
