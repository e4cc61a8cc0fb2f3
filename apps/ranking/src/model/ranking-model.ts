// A ranking model as the app serves it: feed-core's scoring config plus the diversity rules
// applied after scoring. Both live in one JSON file so a rollout changes them together; rules the
// `diversity` section leaves out are the shipped model's (default-model.ts).
import { ModelConfigError, parseModelConfig, type DiversityRules, type ModelConfig } from '@feedmesh/feed-core';

export interface DiversitySettings extends DiversityRules {
  /** How far past the best remaining item diversify looks for one that fits (>= 1). */
  lookahead: number;
}

export interface RankingModel {
  scoring: ModelConfig;
  diversity: DiversitySettings;
  /** Number of features the model weights (reported as `feature_count` / `feature.count`). */
  featureCount: number;
}

const diversityKeys: readonly (keyof DiversitySettings)[] = ['maxSameKindRun', 'maxSameAuthorRun', 'lookahead'];

/**
 * Validates untrusted JSON (already parsed) into a RankingModel. Throws ModelConfigError listing
 * every problem of both sections, so one edit can fix them all.
 */
export function parseRankingModel(json: unknown, diversityDefaults: DiversitySettings): RankingModel {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelConfigError(['config must be a JSON object']);
  }
  const { diversity: rawDiversity, ...scoringJson } = json as Record<string, unknown>;
  const problems: string[] = [];
  const diversity = readDiversity(rawDiversity, diversityDefaults, problems);

  let scoring: ModelConfig | undefined;
  try {
    scoring = parseModelConfig(scoringJson);
  } catch (error) {
    if (!(error instanceof ModelConfigError)) throw error;
    problems.unshift(...error.problems);
  }
  if (problems.length > 0 || scoring === undefined) throw new ModelConfigError(problems);
  return { scoring, diversity, featureCount: Object.keys(scoring.weights).length };
}

function readDiversity(raw: unknown, defaults: DiversitySettings, problems: string[]): DiversitySettings {
  if (raw === undefined) return { ...defaults };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push('diversity must be an object');
    return { ...defaults };
  }
  const out = { ...defaults };
  for (const [key, value] of Object.entries(raw)) {
    if (!(diversityKeys as readonly string[]).includes(key)) {
      problems.push(`diversity: unknown key "${key}" (known: ${diversityKeys.join(', ')})`);
    } else if (!Number.isInteger(value) || (value as number) < 1) {
      problems.push(`diversity.${key} must be an integer >= 1, got ${JSON.stringify(value)}`);
    } else {
      out[key as keyof DiversitySettings] = value as number;
    }
  }
  return out;
}
