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
  /**
   * The recall source that means "the viewer follows the author" (in-network). Default
   * `following`. Read by author-affinity's floor and by ranking's in-network selector.
   */
  inNetworkSource: string;
  /**
   * The author-affinity floor, in [0, 1], of a candidate from the in-network source: a follow edge
   * is a starting affinity, so a just-followed author is not a stranger. Default 0 (no floor).
   */
  followedAuthorAffinity: number;
  /**
   * The most the engagement rate loses to hides, in [0, 1]: the smoothed hide share of views is
   * capped here, so a handful of hides cannot sink an item for everyone. Default 0.05.
   */
  maxHidePenalty: number;
}

/** Defaults of the optional keys. */
export const modelConfigDefaults = Object.freeze({ inNetworkSource: 'following', followedAuthorAffinity: 0, maxHidePenalty: 0.05 });

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
  inNetworkSource: true,
  followedAuthorAffinity: true,
  maxHidePenalty: true,
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

  const inNetworkSource = optional(json, 'inNetworkSource', modelConfigDefaults.inNetworkSource);
  if (typeof inNetworkSource !== 'string' || inNetworkSource.trim() === '') problems.push('inNetworkSource must be a non-empty string');
  const followedAuthorAffinity = optional(json, 'followedAuthorAffinity', modelConfigDefaults.followedAuthorAffinity);
  if (!isFiniteNumber(followedAuthorAffinity) || followedAuthorAffinity < 0 || followedAuthorAffinity > 1) {
    problems.push('followedAuthorAffinity must be a number in [0, 1]');
  }
  const maxHidePenalty = optional(json, 'maxHidePenalty', modelConfigDefaults.maxHidePenalty);
  if (!isFiniteNumber(maxHidePenalty) || maxHidePenalty < 0 || maxHidePenalty > 1) problems.push('maxHidePenalty must be a number in [0, 1]');

  if (problems.length > 0) throw new ModelConfigError(problems);
  return {
    version: version as string,
    weights: weights!,
    freshnessHalfLifeHours: halfLife as number,
    engagementPriorViews: priorViews as number,
    engagementPriorMean: priorMean as number,
    sourceBoosts: sourceBoosts!,
    inNetworkSource: inNetworkSource as string,
    followedAuthorAffinity: followedAuthorAffinity as number,
    maxHidePenalty: maxHidePenalty as number,
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

/** An optional key's value: its default only when the key is absent (null is a bad value). */
function optional(json: Record<string, unknown>, key: string, fallback: unknown): unknown {
  return json[key] === undefined ? fallback : json[key];
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
