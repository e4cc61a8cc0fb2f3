// Hybrid logical clock (Kulkarni et al., 2014): physical milliseconds plus a logical counter.
// Timestamps never go backwards even when the wall clock does (NTP step, another replica with
// a slower clock), and they stay close to real time — which is what paging sessions need to
// tell the latest cursor from a superseded one across aggregator replicas.

export interface Hlc {
  /** Highest wall-clock millisecond seen. */
  readonly wallMs: number;
  /** Orders events inside the same wallMs. */
  readonly logical: number;
}

export const zeroHlc: Hlc = Object.freeze({ wallMs: 0, logical: 0 });

/** The timestamp of a local event (e.g. issuing a cursor) after `prev`. */
export function tickHlc(prev: Hlc, nowMs: number): Hlc {
  if (nowMs > prev.wallMs) return { wallMs: nowMs, logical: 0 };
  return { wallMs: prev.wallMs, logical: prev.logical + 1 };
}

/** The timestamp of a local event caused by a message stamped `remote`. */
export function receiveHlc(local: Hlc, remote: Hlc, nowMs: number): Hlc {
  const wallMs = Math.max(local.wallMs, remote.wallMs, nowMs);
  let logical: number;
  if (wallMs === local.wallMs && wallMs === remote.wallMs) logical = Math.max(local.logical, remote.logical) + 1;
  else if (wallMs === local.wallMs) logical = local.logical + 1;
  else if (wallMs === remote.wallMs) logical = remote.logical + 1;
  else logical = 0;
  return { wallMs, logical };
}

export function compareHlc(a: Hlc, b: Hlc): number {
  return a.wallMs !== b.wallMs ? (a.wallMs < b.wallMs ? -1 : 1) : a.logical < b.logical ? -1 : a.logical > b.logical ? 1 : 0;
}

/** A stateful clock for one process; `now` is injectable for tests. */
export class HybridLogicalClock {
  #last: Hlc;

  constructor(
    private readonly now: () => number = Date.now,
    initial: Hlc = zeroHlc,
  ) {
    this.#last = initial;
  }

  tick(nowMs: number = this.now()): Hlc {
    this.#last = tickHlc(this.#last, nowMs);
    return this.#last;
  }

  receive(remote: Hlc, nowMs: number = this.now()): Hlc {
    this.#last = receiveHlc(this.#last, remote, nowMs);
    return this.#last;
  }

  get last(): Hlc {
    return this.#last;
  }
}

/** Compact text form "<wallMs base36>.<logical base36>", e.g. "m3k2x1a0.4". */
export function encodeHlc(hlc: Hlc): string {
  return `${hlc.wallMs.toString(36)}.${hlc.logical.toString(36)}`;
}

const encodedHlc = /^([0-9a-z]{1,11})\.([0-9a-z]{1,11})$/;

/** Inverse of encodeHlc; throws RangeError on anything else. */
export function decodeHlc(text: string): Hlc {
  const match = encodedHlc.exec(text);
  if (match === null) throw new RangeError(`not an encoded HLC: ${JSON.stringify(text)}`);
  const hlc = { wallMs: parseInt(match[1]!, 36), logical: parseInt(match[2]!, 36) };
  if (!isValidHlc(hlc)) throw new RangeError(`HLC out of range: ${JSON.stringify(text)}`);
  return hlc;
}

export function isValidHlc(value: unknown): value is Hlc {
  if (typeof value !== 'object' || value === null) return false;
  const { wallMs, logical } = value as Record<string, unknown>;
  return isSafeNonNegativeInt(wallMs) && isSafeNonNegativeInt(logical);
}

function isSafeNonNegativeInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
