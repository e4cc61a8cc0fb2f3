/**
 * Probabilistic early refresh ("XFetch", Vattani et al. 2015), the render cache's stampede guard
 * across processes: a reader refreshes an entry ahead of its expiry with probability
 * exp(-remaining / window). A hot key is therefore rebuilt by one lucky reader shortly before it
 * expires, instead of by every process at once after it expired; rarely read keys just expire.
 * Within one process, concurrent misses of the same id share one load (see render-service.ts).
 */
export function shouldRefreshEarly(remainingMs: number, windowMs: number, random: () => number = Math.random): boolean {
  if (windowMs <= 0) return false;
  if (remainingMs <= 0) return true;
  // -ln(u) for u uniform in (0, 1] is exponentially distributed: P(-ln u * w > r) = exp(-r / w).
  return -Math.log(1 - random()) * windowMs > remainingMs;
}
