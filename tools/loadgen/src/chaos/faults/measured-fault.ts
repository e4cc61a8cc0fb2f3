/** What a fault action measured: when it began and when the dependency was back (monotonic ms, @feedmesh/faults' `now`). */
export interface MeasuredFault {
  readonly startMs: number;
  readonly endMs: number;
  /** A short account for the run's log, e.g. "down 6120 ms until ready". */
  readonly detail: string;
}
