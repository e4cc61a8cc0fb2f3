import { readFileSync } from 'node:fs';
import { ModelConfigError } from '@feedmesh/feed-core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_FILE, shippedDiversity, shippedModel } from './default-model.js';
import { parseModelText } from './model-file.js';
import { parseRankingModel, type DiversitySettings } from './ranking-model.js';

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
