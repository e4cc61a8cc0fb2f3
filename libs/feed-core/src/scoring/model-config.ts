// The ranking model: which features count and how much, plus their parameters. Loaded from
// plain JSON (a file or an env var) and validated strictly: a typo in a feature name or a
// non-finite weight would otherwise silently change every feed.
import { featureNames } from './feature-registry.js';

export interface ModelConfig {
  /** Reported as `model.version` on spans and in RankResponse. */
  version: string;
  /** Feature name → weight. Features not listed are not computed. */
  weights: Readonly<Record<string, number>>;
  /** Freshness halves every this many hours (> 0). */
  freshnessHalfLifeHours: number;
  /** Engagement-rate prior strength, in pseudo-views (> 0). */
  engagementPriorViews: number;
  /** Engagement-rate prior mean, the platform-wide typical rate, in [0, 1]. */
  engagementPriorMean: number;
  /** Recall source name → boost in [0, 1], for the `source-boost` feature. */
  sourceBoosts: Readonly<Record<string, number>>;
}

export class ModelConfigError extends Error {
  override readonly name = 'ModelConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid ranking model config: ${problems.join('; ')}`);
  }
}

// No default model lives here: the one shipped is apps/ranking/model/default-model.json (what the
// ranking app loads unless RANKING_MODEL_FILE names another file).
const keysOfModelConfig: Record<keyof ModelConfig, true> = {
  version: true,
  weights: true,
  freshnessHalfLifeHours: true,
  engagementPriorViews: true,
  engagementPriorMean: true,
  sourceBoosts: true,
};
const knownKeys = new Set(Object.keys(keysOfModelConfig));
const knownFeatures = new Set(featureNames);

/** Validates untrusted JSON (already parsed) into a ModelConfig; throws ModelConfigError listing every problem. */
export function parseModelConfig(json: unknown): ModelConfig {
  const problems: string[] = [];
  if (!isPlainObject(json)) throw new ModelConfigError(['config must be a JSON object']);

  for (const key of Object.keys(json)) {
    if (!knownKeys.has(key)) problems.push(`unknown key "${key}"`);
  }

  const version = json['version'];
  if (typeof version !== 'string' || version.trim() === '') problems.push('version must be a non-empty string');

  const weights = readNumberRecord(json['weights'], 'weights', problems);
  if (weights !== undefined) {
    const names = Object.keys(weights);
    if (names.length === 0) problems.push('weights must name at least one feature');
    for (const name of names) {
      if (!knownFeatures.has(name)) {
        problems.push(`weights: unknown feature "${name}" (known: ${featureNames.join(', ')})`);
      }
    }
  }

  const halfLife = json['freshnessHalfLifeHours'];
  if (!isFiniteNumber(halfLife) || halfLife <= 0) problems.push('freshnessHalfLifeHours must be a finite number > 0');
  const priorViews = json['engagementPriorViews'];
  if (!isFiniteNumber(priorViews) || priorViews <= 0) problems.push('engagementPriorViews must be a finite number > 0');
  const priorMean = json['engagementPriorMean'];
  if (!isFiniteNumber(priorMean) || priorMean < 0 || priorMean > 1) {
    problems.push('engagementPriorMean must be a number in [0, 1]');
  }

  const rawBoosts = json['sourceBoosts'] ?? {};
  const sourceBoosts = readNumberRecord(rawBoosts, 'sourceBoosts', problems);
  for (const [source, boost] of Object.entries(sourceBoosts ?? {})) {
    if (boost < 0 || boost > 1) problems.push(`sourceBoosts.${source} must be in [0, 1]`);
  }

  if (problems.length > 0) throw new ModelConfigError(problems);
  return {
    version: version as string,
    weights: weights!,
    freshnessHalfLifeHours: halfLife as number,
    engagementPriorViews: priorViews as number,
    engagementPriorMean: priorMean as number,
    sourceBoosts: sourceBoosts!,
  };
}

function readNumberRecord(value: unknown, field: string, problems: string[]): Record<string, number> | undefined {
  if (!isPlainObject(value)) {
    problems.push(`${field} must be an object of numbers`);
    return undefined;
  }
  const out: Record<string, number> = {};
  for (const [key, v] of Object.entries(value)) {
    if (isFiniteNumber(v)) out[key] = v;
    else problems.push(`${field}.${key} must be a finite number, got ${JSON.stringify(v) ?? String(v)}`);
  }
  return out;
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
