// Load stages, k6 style: "30s@100/s" ramps the journey arrival rate linearly from the previous
// stage's target (0 before the first) to 100/s over 30 s; "30s@16vu" ramps the number of virtual
// users looping journeys. A run's stages are all rates or all VUs.
import { UsageError } from '../method-resolver.js';

export type StageKind = 'rate' | 'vus';

export interface Stage {
  /** As written, for reports: "30s@100/s". */
  readonly label: string;
  readonly durationMs: number;
  /** Journeys per second (rate) or virtual users (vus) reached at the end of the stage. */
  readonly target: number;
}

export interface StagePlan {
  readonly kind: StageKind;
  readonly stages: readonly Stage[];
}

const STAGE = /^\s*(\d+(?:\.\d+)?)(ms|s|m|h)\s*@\s*(\d+(?:\.\d+)?)\s*(\/s|vus?)?\s*$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Parses one stage; `what` names the field in errors. `@0` alone takes its kind from the others. */
export function parseStage(text: string, what: string): { stage: Stage; kind: StageKind | undefined } {
  const match = STAGE.exec(text);
  if (match === null) throw new UsageError(`${what} must look like 30s@100/s (journeys per second) or 30s@16vu (virtual users), got "${text}"`);
  const durationMs = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  const target = Number(match[3]);
  if (!(durationMs > 0)) throw new UsageError(`${what}: the duration must be > 0, got "${text}"`);
  const kind = match[4] === undefined ? undefined : match[4] === '/s' ? 'rate' : 'vus';
  if (kind === 'vus' && !Number.isInteger(target)) throw new UsageError(`${what}: virtual users must be a whole number, got "${text}"`);
  if (kind === undefined && target !== 0) throw new UsageError(`${what}: say /s (journeys per second) or vu (virtual users) after ${target}, got "${text}"`);
  return { stage: { label: text.trim(), durationMs, target }, kind };
}

/** Parses a list of stages; `whatOf(i)` names stage i in errors. */
export function parseStages(texts: readonly string[], whatOf: (index: number) => string): StagePlan {
  if (texts.length === 0) throw new UsageError(`${whatOf(0).replace(/\[0\]$/, '')} needs at least one stage`);
  let kind: StageKind | undefined;
  const stages = texts.map((text, index) => {
    const parsed = parseStage(text, whatOf(index));
    if (parsed.kind !== undefined && kind !== undefined && parsed.kind !== kind) {
      throw new UsageError(`${whatOf(index)}: stages mix rates (/s) and virtual users (vu); use one kind per run, got "${text}"`);
    }
    kind ??= parsed.kind;
    return parsed.stage;
  });
  return { kind: kind ?? 'rate', stages };
}

export function totalDurationMs(plan: StagePlan): number {
  return plan.stages.reduce((total, stage) => total + stage.durationMs, 0);
}

/** The stage that time `atMs` (from the start) falls in; the last one for times past the end. */
export function stageIndexAt(plan: StagePlan, atMs: number): number {
  let end = 0;
  for (let index = 0; index < plan.stages.length; index++) {
    end += plan.stages[index].durationMs;
    if (atMs < end) return index;
  }
  return plan.stages.length - 1;
}

/** The target (rate or VUs) at `atMs`, interpolated linearly inside the stage. */
export function targetAt(plan: StagePlan, atMs: number): number {
  let from = 0;
  let begin = 0;
  for (const stage of plan.stages) {
    if (atMs < begin + stage.durationMs) return from + ((stage.target - from) * (atMs - begin)) / stage.durationMs;
    from = stage.target;
    begin += stage.durationMs;
  }
  return from;
}

/**
 * The open-loop arrival schedule of a rate plan: arrival k (0-based) is due when the integral of
 * the rate reaches k + 1/2, so a constant rate r gives arrivals at (k + 1/2) / r, and a ramp packs
 * them as densely as the rate says. Iterate with `next()`; undefined once past the last stage.
 */
export class ArrivalSchedule {
  private stage = 0;
  private stageBeginMs = 0;
  private fromRate = 0;
  /** Arrivals (integral of the rate) accumulated before the current stage. */
  private countBefore = 0;
  private index = 0;

  constructor(private readonly plan: StagePlan) {
    if (plan.kind !== 'rate') throw new RangeError('an arrival schedule needs rate stages');
  }

  /** When (ms from the start) the next arrival is due. */
  next(): number | undefined {
    const wanted = this.index + 0.5;
    const stages = this.plan.stages;
    while (this.stage < stages.length) {
      const { durationMs, target } = stages[this.stage];
      const seconds = durationMs / 1000;
      const inStage = ((this.fromRate + target) / 2) * seconds;
      const need = wanted - this.countBefore;
      if (need <= inStage) {
        this.index++;
        return this.stageBeginMs + solveRamp(this.fromRate, target, seconds, need) * 1000;
      }
      this.countBefore += inStage;
      this.stageBeginMs += durationMs;
      this.fromRate = target;
      this.stage++;
    }
    return undefined;
  }
}

/** Seconds t into a ramp from r0 to r1 over T seconds at which the integral of the rate is `count`. */
function solveRamp(r0: number, r1: number, seconds: number, count: number): number {
  const slope = (r1 - r0) / seconds;
  if (Math.abs(slope) < 1e-12) return count / r0;
  // r0 t + slope t^2 / 2 = count; the root within [0, T].
  const discriminant = Math.max(0, r0 * r0 + 2 * slope * count);
  return (-r0 + Math.sqrt(discriminant)) / slope;
}
