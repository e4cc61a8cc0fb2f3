import type { Attributes, Span } from '@opentelemetry/api';
import { withSpan } from '@feedmesh/telemetry';

/**
 * One stage of the pipeline as a span `feed.aggregate.<name>`. Attributes are set through
 * `annotate`, which does nothing on an unsampled request: no attribute objects are built for
 * spans nobody records.
 */
export function runStage<T>(name: string, fn: (annotate: (attributes: () => Attributes) => void) => Promise<T>): Promise<T> {
  return withSpan(`feed.aggregate.${name}`, {}, (span: Span) =>
    fn((attributes) => {
      if (span.isRecording()) span.setAttributes(attributes());
    }),
  );
}
