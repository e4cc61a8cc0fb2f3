import { Counter, type Registry } from 'prom-client';
import type { ReadModelOptions } from './read-model.js';

/**
 * `feedmesh_read_model_lookups_total{what, outcome}` on a service's registry, as a ReadModel
 * `onLookup` callback: the hit ratio and the Postgres fallbacks of every reader, one metric.
 */
export function readModelLookupCounter(registry: Registry): NonNullable<ReadModelOptions['onLookup']> {
  const counter = new Counter({
    name: 'feedmesh_read_model_lookups_total',
    help: 'Read-model keys looked up, by kind (user, item) and outcome: memory (in-process cache), hit (Redis), miss (Postgres, written back), absent (nowhere).',
    labelNames: ['what', 'outcome'],
    registers: [registry],
  });
  return (what, outcome, n) => counter.labels(what, outcome).inc(n);
}
