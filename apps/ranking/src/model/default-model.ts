// The model shipped with the app (package.json "files" lists model/, so images carry it): the one
// source of the default weights and diversity rules. RANKING_MODEL_FILE names another file; a
// rule that file leaves out is the shipped one.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelConfigError } from '@feedmesh/feed-core';
import { inNetworkOff, parseRankingModel, type DiversitySettings, type InNetworkSettings, type RankingModel } from './ranking-model.js';

export const DEFAULT_MODEL_FILE = path.resolve(__dirname, '..', '..', 'model', 'default-model.json');

const shippedJson = JSON.parse(readFileSync(DEFAULT_MODEL_FILE, 'utf8')) as { diversity?: Partial<DiversitySettings>; inNetwork?: Partial<InNetworkSettings> };

/** The shipped file's diversity rules, each one required there. */
export const shippedDiversity: DiversitySettings = diversityOf(shippedJson);

/** The shipped file's in-network rule, each key required there. */
export const shippedInNetwork: InNetworkSettings = inNetworkOf(shippedJson);

/** The shipped model as the app serves it (the tests' and benchmarks' model too). */
export const shippedModel: RankingModel = parseRankingModel(shippedJson, shippedDiversity, shippedInNetwork);

function inNetworkOf({ inNetwork = {} }: { inNetwork?: Partial<InNetworkSettings> }): InNetworkSettings {
  const missing = Object.keys(inNetworkOff).filter((key) => typeof inNetwork[key as keyof InNetworkSettings] !== 'number');
  if (missing.length > 0) throw new ModelConfigError(missing.map((key) => `${DEFAULT_MODEL_FILE}: inNetwork.${key} must be set`));
  return parseRankingModel(shippedJson, shippedDiversity).inNetwork;
}

function diversityOf({ diversity = {} }: { diversity?: Partial<DiversitySettings> }): DiversitySettings {
  const rules = { maxSameKindRun: diversity.maxSameKindRun, maxSameAuthorRun: diversity.maxSameAuthorRun, lookahead: diversity.lookahead };
  const missing = Object.entries(rules).filter(([, value]) => !Number.isInteger(value) || (value as number) < 1);
  if (missing.length > 0) throw new ModelConfigError(missing.map(([key]) => `${DEFAULT_MODEL_FILE}: diversity.${key} must be an integer >= 1`));
  return rules as DiversitySettings;
}
