// The shape of a named candidate source (recall's sources, one file each, with a `name` used in
// spans, metrics and debug output). The aggregator's pipeline components are declared in
// apps/aggregator/src/pipeline/components.ts.

/** Produces candidates for a request, e.g. "following" or "trending" in recall. */
export interface CandidateSource<Request, Candidate> {
  readonly name: string;
  /** Must stop promptly when `signal` aborts (the stage's budget ran out). */
  fetch(request: Request, signal: AbortSignal): Promise<Candidate[]>;
}
