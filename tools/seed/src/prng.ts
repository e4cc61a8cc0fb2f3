/**
 * mulberry32: a tiny, fast 32-bit PRNG with a good enough distribution for demo data. Not for
 * anything security-related. Same seed, same sequence, on every platform.
 */
export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next uint32. */
  nextUint32(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.next() * values.length)] as T;
  }

  /** Pareto(alpha) with minimum 1: heavy-tailed, mean alpha / (alpha - 1) for alpha > 1. */
  pareto(alpha: number): number {
    return Math.pow(1 - this.next(), -1 / alpha);
  }

  /** A version-4-shaped UUID drawn from this generator (deterministic, unlike crypto UUIDs). */
  uuid(): string {
    const a = this.nextUint32();
    const b = this.nextUint32();
    const c = this.nextUint32();
    const d = this.nextUint32();
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    const h = hex(a) + hex(b) + hex(c) + hex(d);
    const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/**
 * An independent generator per generation phase, so that changing how one table is generated
 * does not reshuffle every other table for the same seed.
 */
export function phasePrng(seed: number, phase: string): Prng {
  let h = 2166136261 ^ (seed >>> 0);
  for (let i = 0; i < phase.length; i++) {
    h = Math.imul(h ^ phase.charCodeAt(i), 16777619);
  }
  return new Prng(Math.imul(h ^ (h >>> 16), 0x45d9f3b) ^ seed);
}
