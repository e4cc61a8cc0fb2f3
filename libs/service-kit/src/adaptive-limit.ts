export interface AdaptiveLimitOptions {
  /** The limit before the first measurement. */
  initial: number;
  /** Never below: the app keeps serving some calls however slow they get. */
  min: number;
  /** Never above (MAX_CONCURRENT_CALLS). */
  max: number;
}

/** A window closes after this many calls, once it is this old (or at the latest after maxWindowMs). */
const minWindowSamples = 5;
const minWindowMs = 100;
const maxWindowMs = 1_000;
/** Latency a little above the long-term average is not queueing yet (Gradient2's tolerance). */
const tolerance = 1.5;
/** Each window moves the limit this far up towards its new estimate (down it goes at once). */
const smoothing = 0.2;
/** The long-term latency is an average over about this many windows (~10 s when busy). */
const longWindows = 100;
/** A call that used more than this share of its deadline is overload, whatever the average says. */
const lateShare = 0.5;
/** Multiplicative decrease on a window with late calls. */
const backoff = 0.8;

/**
 * How many calls may run at once, found from the latency they see (a gradient limit, after
 * Netflix's concurrency-limits Gradient2): the limit grows slowly while a window's average latency
 * stays within `tolerance` of the long-term average, and drops at once, in proportion, when it
 * rises above it, i.e. when calls queue for CPU or a dependency instead of running: to the
 * concurrency the window had times the gradient (latency that rose at 8 calls says 8 is too many,
 * even under a limit of 20). Calls that used more than half their deadline shrink it too: a limit
 * that fits the machine is one whose admitted calls meet their deadlines. Windows with steady
 * latency in which the app used less than half the limit do not raise it (the load, not the
 * limit, bounded the concurrency).
 */
export class AdaptiveLimit {
  private limit: number;
  private longRttMs = 0;
  private windowStart = 0;
  private samples = 0;
  private rttSumMs = 0;
  private late = 0;
  private maxInFlight = 0;

  constructor(private readonly options: AdaptiveLimitOptions) {
    this.limit = Math.min(options.max, Math.max(options.min, options.initial));
  }

  get current(): number {
    return Math.floor(this.limit);
  }

  /**
   * One admitted call ended, `rttMs` after it was admitted, with `budgetMs` of deadline left when
   * it was; `inFlight` calls were running (it included). Failed calls that did no work should not
   * be sampled: their speed says nothing about the app's capacity.
   */
  sample(rttMs: number, budgetMs: number, inFlight: number, now: number): void {
    if (this.samples === 0) this.windowStart = now;
    this.samples++;
    this.rttSumMs += rttMs;
    if (rttMs > budgetMs * lateShare) this.late++;
    if (inFlight > this.maxInFlight) this.maxInFlight = inFlight;
    const age = now - this.windowStart;
    if ((this.samples >= minWindowSamples && age >= minWindowMs) || age >= maxWindowMs) this.closeWindow();
  }

  private closeWindow(): void {
    const shortRtt = this.rttSumMs / this.samples;
    const { late, maxInFlight } = this;
    this.samples = 0;
    this.rttSumMs = 0;
    this.late = 0;
    this.maxInFlight = 0;
    this.longRttMs = this.longRttMs === 0 ? shortRtt : this.longRttMs + (shortRtt - this.longRttMs) / longWindows;
    // After an overload the long-term average lags far above what calls see again: let it catch up.
    if (this.longRttMs > 2 * shortRtt) this.longRttMs *= 0.95;
    const gradient = Math.max(0.5, Math.min(1, (tolerance * this.longRttMs) / shortRtt));
    // Calls queue at the concurrency the window had, even when that was below the limit.
    const used = Math.min(this.limit, maxInFlight);
    let next: number;
    if (late > 0) next = Math.min(this.limit * backoff, used * gradient);
    else if (gradient < 1) next = Math.min(this.limit, used * gradient + Math.sqrt(used));
    else if (maxInFlight < this.limit / 2) return;
    else {
      // sqrt(limit) of headroom lets the limit probe upwards while latency holds.
      next = this.limit * (1 - smoothing) + (this.limit + Math.sqrt(this.limit)) * smoothing;
    }
    this.limit = Math.min(this.options.max, Math.max(this.options.min, next));
  }
}
