// Runs one recall source under its own timeout, fail-open: a slow or failing source yields an
// empty result with its status instead of failing the request.
import { SourceStatus } from '@feedmesh/contracts';
import { DeadlineExceeded, withDeadline } from '@feedmesh/service-kit';
import { withSpan } from '@feedmesh/telemetry';
import { SpanStatusCode } from '@opentelemetry/api';
import type { RecallCandidate, RecallQuery, RecallSource } from './recall-candidate.js';

export interface SourceLimits {
  /** The source's own timeout, already capped by the call's remaining deadline. */
  timeoutMs: number;
  /**
   * Fault injection for chaos tests (RECALL_SOURCE_DELAY_MS_<NAME>): an abortable pause before
   * the source runs, as if its backend were slow. 0 in production.
   */
  injectedDelayMs: number;
}

export interface SourceRun {
  name: string;
  candidates: RecallCandidate[];
  status: SourceStatus;
  latencyMs: number;
  /** Set when status is ERROR or TIMEOUT. */
  error: string;
}

export function runSource(source: RecallSource, query: RecallQuery, limits: SourceLimits, callSignal: AbortSignal): Promise<SourceRun> {
  return withSpan('feed.recall.query', { 'recall.strategy': source.name }, async (span) => {
    const run = await runWithTimeout(source, query, limits, callSignal);
    span.setAttributes({ 'recall.status': SourceStatus[run.status], 'recall.count': run.candidates.length });
    if (run.status !== SourceStatus.OK) span.setStatus({ code: SpanStatusCode.ERROR, message: run.error });
    return run;
  });
}

async function runWithTimeout(source: RecallSource, query: RecallQuery, limits: SourceLimits, callSignal: AbortSignal): Promise<SourceRun> {
  const started = performance.now();
  const result = (status: SourceStatus, candidates: RecallCandidate[], error = ''): SourceRun => ({
    name: source.name,
    candidates,
    status,
    latencyMs: performance.now() - started,
    error,
  });
  try {
    const candidates = await withDeadline(
      async (signal) => {
        if (limits.injectedDelayMs > 0) await abortableDelay(limits.injectedDelayMs, signal);
        return source.fetch(query, signal);
      },
      { timeoutMs: limits.timeoutMs, signal: callSignal },
      `recall source ${source.name}`,
    );
    return result(SourceStatus.OK, candidates);
  } catch (error) {
    if (error instanceof DeadlineExceeded) return result(SourceStatus.TIMEOUT, [], `no answer within ${Math.round(error.afterMs)} ms`);
    if (callSignal.aborted) return result(SourceStatus.TIMEOUT, [], (error as Error).message ?? 'call cancelled');
    return result(SourceStatus.ERROR, [], error instanceof Error ? error.message : String(error));
  }
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason as Error);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
