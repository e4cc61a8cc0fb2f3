// Reads a ranking model JSON file. Malformed JSON is reported like any other invalid config.
import { readFile } from 'node:fs/promises';
import { ModelConfigError } from '@feedmesh/feed-core';
import { shippedInNetwork } from './default-model.js';
import { parseRankingModel, type DiversitySettings, type InNetworkSettings, type RankingModel } from './ranking-model.js';

export interface ModelFileContents {
  model: RankingModel;
  /** The raw text, to tell a real change from a touch. */
  text: string;
}

/** `inNetworkDefaults`: what a file without an `inNetwork` section gets (default: the shipped model's rule). */
export async function readModelFile(file: string, diversityDefaults: DiversitySettings, inNetworkDefaults: InNetworkSettings = shippedInNetwork): Promise<ModelFileContents> {
  const text = await readFile(file, 'utf8');
  return { model: parseModelText(text, diversityDefaults, inNetworkDefaults), text };
}

export function parseModelText(text: string, diversityDefaults: DiversitySettings, inNetworkDefaults: InNetworkSettings = shippedInNetwork): RankingModel {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelConfigError([`not valid JSON: ${(error as Error).message}`]);
  }
  return parseRankingModel(json, diversityDefaults, inNetworkDefaults);
}
