// Programmatic API, for benchmarks that drive the mesh from code.
export { runLoad } from './run-load.js';
export type { LoadOptions, ProgressSample } from './load-options.js';
export type { CallHook, CallOutcome } from './shard.js';
export type { Report, ReportedSlowCall } from './report.js';
export { formatTable } from './report.js';
export type { SloThresholds, SloResult, SloCheck } from './slo.js';
export { evaluateSlo, exitCodeFor, describeMissed, EXIT_OK, EXIT_USAGE, EXIT_SLO_MISSED } from './slo.js';
export { UsageError, resolveMethod } from './method-resolver.js';
export type { LatencySummaryMs } from './histograms.js';
