import { readFileSync } from 'node:fs';
import { ModelConfigError } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_FILE, shippedDiversity, shippedInNetwork, shippedModel } from './default-model.js';
import { parseModelText } from './model-file.js';
import { inNetworkOff, parseRankingModel, type DiversitySettings } from './ranking-model.js';

const defaults: DiversitySettings = { maxSameKindRun: 3, maxSameAuthorRun: 2, lookahead: 100 };
const scoring = JSON.parse(JSON.stringify(shippedModel.scoring)) as Record<string, unknown>;

function problemsOf(json: unknown): readonly string[] {
  try {
    parseRankingModel(json, defaults);
  } catch (e) {
    if (e instanceof ModelConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected the model to be rejected');
}

describe('parseRankingModel', () => {
  it('reads the shipped default model', () => {
    const model = parseModelText(readFileSync(DEFAULT_MODEL_FILE, 'utf8'), defaults);
    expect(model.scoring).toEqual(shippedModel.scoring);
    expect(model.featureCount).toBe(5);
    expect(model.diversity).toEqual({ maxSameKindRun: 3, maxSameAuthorRun: 2, lookahead: 100 });
  });

  it('takes the rules a model leaves out from the defaults it is given (the app: the shipped model\'s)', () => {
    expect(shippedDiversity).toEqual({ maxSameKindRun: 3, maxSameAuthorRun: 2, lookahead: 100 });
    expect(parseRankingModel(scoring, { maxSameKindRun: 4, maxSameAuthorRun: 1, lookahead: 7 }).diversity).toEqual({
      maxSameKindRun: 4,
      maxSameAuthorRun: 1,
      lookahead: 7,
    });
  });

  it('lets the model file override single diversity rules', () => {
    const model = parseRankingModel({ ...scoring, diversity: { maxSameAuthorRun: 1 } }, defaults);
    expect(model.diversity).toEqual({ maxSameKindRun: 3, maxSameAuthorRun: 1, lookahead: 100 });
  });

  it('reads the in-network rule: the shipped one, defaults for what a file leaves out, off without defaults', () => {
    expect(shippedInNetwork).toEqual({ share: 0.5, outOfNetworkShare: 0.25, freshMinutes: 60 });
    expect(shippedModel.inNetwork).toEqual(shippedInNetwork);
    expect(shippedModel.scoring).toMatchObject({ inNetworkSource: 'following', followedAuthorAffinity: 0.5, maxHidePenalty: 0.05 });
    expect(parseRankingModel(scoring, defaults).inNetwork).toEqual(inNetworkOff);
    expect(parseRankingModel({ ...scoring, inNetwork: { share: 1, outOfNetworkShare: 0 } }, defaults, shippedInNetwork).inNetwork).toEqual({
      share: 1,
      outOfNetworkShare: 0,
      freshMinutes: 60,
    });
    expect(parseModelText(JSON.stringify(scoring), defaults).inNetwork).toEqual(shippedInNetwork); // the app's default
  });

  it('rejects bad in-network rules, naming each', () => {
    expect(problemsOf({ ...scoring, inNetwork: { share: 1.5, outOfNetworkShare: -1, freshMinutes: Number.POSITIVE_INFINITY, quota: 1 } })).toEqual([
      'inNetwork.share must be a number in [0, 1], got 1.5',
      'inNetwork.outOfNetworkShare must be a number in [0, 1], got -1',
      'inNetwork.freshMinutes must be a finite number >= 0, got null',
      expect.stringContaining('inNetwork: unknown key "quota"'),
    ]);
    expect(problemsOf({ ...scoring, inNetwork: { share: 0.7, outOfNetworkShare: 0.5 } })).toEqual([
      'inNetwork.share + inNetwork.outOfNetworkShare must be <= 1, got 0.7 + 0.5',
    ]);
    expect(problemsOf({ ...scoring, inNetwork: { freshMinutes: '60' } })).toEqual(['inNetwork.freshMinutes must be a finite number >= 0, got "60"']);
    expect(problemsOf({ ...scoring, inNetwork: 5 })).toEqual(['inNetwork must be an object']);
  });

  it('counts only the features the model weights', () => {
    expect(parseRankingModel({ ...scoring, weights: { freshness: 1, 'author-affinity': 0.5 } }, defaults).featureCount).toBe(2);
  });

  it('lists scoring and diversity problems together', () => {
    expect(problemsOf({ ...scoring, version: '', diversity: { maxSameKindRun: 0, sameTopic: 2 } })).toEqual([
      'version must be a non-empty string',
      'diversity.maxSameKindRun must be an integer >= 1, got 0',
      expect.stringContaining('diversity: unknown key "sameTopic"'),
    ]);
  });

  it('rejects a non-integer run limit and a non-object section', () => {
    expect(problemsOf({ ...scoring, diversity: { lookahead: 2.5 } })).toEqual(['diversity.lookahead must be an integer >= 1, got 2.5']);
    expect(problemsOf({ ...scoring, diversity: [] })).toEqual(['diversity must be an object']);
    expect(problemsOf([])).toEqual(['config must be a JSON object']);
  });

  it('reports malformed JSON as an invalid config', () => {
    expect(() => parseModelText('{"version": ', defaults)).toThrow(/not valid JSON/);
  });
});
