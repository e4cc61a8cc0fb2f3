// A ranking model as the app serves it: feed-core's scoring config plus the in-network mix and the
// diversity rules applied after scoring. All live in one JSON file so a rollout changes them
// together; rules the `diversity` / `inNetwork` sections leave out are the shipped model's
// (default-model.ts).
import { ModelConfigError, parseModelConfig, type DiversityRules, type ModelConfig } from '@feedmesh/feed-core';

export interface DiversitySettings extends DiversityRules {
  /** How far past the best remaining item diversify looks for one that fits (>= 1). */
  lookahead: number;
}

/** The in-network rule (pipeline/in-network-selector.ts); all zeros turns it off. */
export interface InNetworkSettings {
  /** Every prefix of k picks holds at least ⌈share·k⌉ in-network candidates while any remain, in [0, 1]. */
  share: number;
  /** Every prefix of k picks holds at least ⌊outOfNetworkShare·k⌋ others while any remain; share + this ≤ 1. */
  outOfNetworkShare: number;
  /** In-network candidates at most this old (minutes, >= 0) go first among in-network ones, newest first. */
  freshMinutes: number;
}

/** No in-network rule: the score order goes to diversity as it is. */
export const inNetworkOff: InNetworkSettings = Object.freeze({ share: 0, outOfNetworkShare: 0, freshMinutes: 0 });

export interface RankingModel {
  scoring: ModelConfig;
  inNetwork: InNetworkSettings;
  diversity: DiversitySettings;
  /** Number of features the model weights (reported as `feature_count` / `feature.count`). */
  featureCount: number;
}

const diversityKeys: readonly (keyof DiversitySettings)[] = ['maxSameKindRun', 'maxSameAuthorRun', 'lookahead'];
const inNetworkKeys: readonly (keyof InNetworkSettings)[] = ['share', 'outOfNetworkShare', 'freshMinutes'];

/**
 * Validates untrusted JSON (already parsed) into a RankingModel. Throws ModelConfigError listing
 * every problem of both sections, so one edit can fix them all.
 */
export function parseRankingModel(
  json: unknown,
  diversityDefaults: DiversitySettings,
  /** What a file without an `inNetwork` section (or key) gets; the app passes the shipped model's. */
  inNetworkDefaults: InNetworkSettings = inNetworkOff,
): RankingModel {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelConfigError(['config must be a JSON object']);
  }
  const { diversity: rawDiversity, inNetwork: rawInNetwork, ...scoringJson } = json as Record<string, unknown>;
  const problems: string[] = [];
  const diversity = readDiversity(rawDiversity, diversityDefaults, problems);
  const inNetwork = readInNetwork(rawInNetwork, inNetworkDefaults, problems);

  let scoring: ModelConfig | undefined;
  try {
    scoring = parseModelConfig(scoringJson);
  } catch (error) {
    if (!(error instanceof ModelConfigError)) throw error;
    problems.unshift(...error.problems);
  }
  if (problems.length > 0 || scoring === undefined) throw new ModelConfigError(problems);
  return { scoring, inNetwork, diversity, featureCount: Object.keys(scoring.weights).length };
}

/**
 * One object section of the model file (`inNetwork`, `diversity`): its known keys over the
 * defaults, each value checked by `problem` (the reason it is bad, or undefined).
 */
function readSection<T extends { [K in keyof T]: number }>(name: string, known: readonly (keyof T & string)[], raw: unknown, defaults: T, problem: (key: keyof T & string, value: unknown) => string | undefined, problems: string[]): T {
  if (raw === undefined) return { ...defaults };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${name} must be an object`);
    return { ...defaults };
  }
  const out = { ...defaults } as Record<string, number>;
  for (const [key, value] of Object.entries(raw)) {
    const isKnown = (known as readonly string[]).includes(key);
    const bad = isKnown ? problem(key as keyof T & string, value) : `unknown key "${key}" (known: ${known.join(', ')})`;
    if (bad === undefined) out[key] = value as number;
    else problems.push(isKnown ? `${name}.${key} ${bad}, got ${JSON.stringify(value)}` : `${name}: ${bad}`);
  }
  return out as unknown as T;
}

function readInNetwork(raw: unknown, defaults: InNetworkSettings, problems: string[]): InNetworkSettings {
  const out = readSection('inNetwork', inNetworkKeys, raw, defaults, (key, value) => {
    const ok = typeof value === 'number' && Number.isFinite(value) && value >= 0 && (key === 'freshMinutes' || value <= 1);
    return ok ? undefined : `must be ${key === 'freshMinutes' ? 'a finite number >= 0' : 'a number in [0, 1]'}`;
  }, problems);
  if (out.share + out.outOfNetworkShare > 1) {
    problems.push(`inNetwork.share + inNetwork.outOfNetworkShare must be <= 1, got ${out.share} + ${out.outOfNetworkShare}`);
  }
  return out;
}

function readDiversity(raw: unknown, defaults: DiversitySettings, problems: string[]): DiversitySettings {
  return readSection('diversity', diversityKeys, raw, defaults, (_key, value) => (Number.isInteger(value) && (value as number) >= 1 ? undefined : 'must be an integer >= 1'), problems);
}
