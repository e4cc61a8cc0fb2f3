import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export interface TestTracing {
  readonly provider: TracerProvider;
  readonly exporter: InMemorySpanExporter;
  /** The finished span with this name; fails the test when there is not exactly one. */
  span(name: string): ReadableSpan;
  uninstall(): Promise<void>;
}

/**
 * What an app's SDK setup would register: an AsyncLocalStorage context manager and the W3C
 * trace-context + baggage propagators as globals, plus a provider exporting to memory. The
 * provider is handed to the interceptors through their `tracerProvider` option.
 */
export function installTestTracing(): TestTracing {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  return {
    provider,
    exporter,
    span(name) {
      const spans = exporter.getFinishedSpans().filter((span) => span.name === name);
      if (spans.length !== 1) throw new Error(`expected one finished span named ${name}, found ${spans.length}`);
      return spans[0]!;
    },
    async uninstall() {
      await provider.shutdown();
      context.disable();
      propagation.disable();
    },
  };
}
