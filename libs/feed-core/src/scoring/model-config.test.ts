import { describe, expect, it } from 'vitest';
import { exampleModel } from './example-model.fixture.js';
import { ModelConfigError, parseModelConfig } from './model-config.js';

const valid = JSON.parse(JSON.stringify(exampleModel)) as Record<string, unknown>;

function problemsOf(json: unknown): readonly string[] {
  try {
    parseModelConfig(json);
  } catch (e) {
    if (e instanceof ModelConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected the config to be rejected');
}

describe('parseModelConfig', () => {
  it('accepts the default model as JSON', () => {
    expect(parseModelConfig(valid)).toEqual(exampleModel);
  });

  it('defaults sourceBoosts to none', () => {
    const { sourceBoosts: _omitted, ...rest } = valid;
    expect(parseModelConfig(rest).sourceBoosts).toEqual({});
  });

  it('defaults the in-network and hide keys', () => {
    const { inNetworkSource: _s, followedAuthorAffinity: _f, maxHidePenalty: _m, ...rest } = valid;
    expect(parseModelConfig(rest)).toMatchObject({ inNetworkSource: 'following', followedAuthorAffinity: 0, maxHidePenalty: 0.05 });
    expect(parseModelConfig({ ...valid, inNetworkSource: 'friends', followedAuthorAffinity: 1, maxHidePenalty: 0 })).toMatchObject({
      inNetworkSource: 'friends',
      followedAuthorAffinity: 1,
      maxHidePenalty: 0,
    });
  });

  it.each([
    [{ followedAuthorAffinity: 1.5 }, 'followedAuthorAffinity must be a number in [0, 1]'],
    [{ followedAuthorAffinity: -0.1 }, 'followedAuthorAffinity must be a number in [0, 1]'],
    [{ followedAuthorAffinity: '0.5' }, 'followedAuthorAffinity must be a number in [0, 1]'],
    [{ maxHidePenalty: Number.NaN }, 'maxHidePenalty must be a number in [0, 1]'],
    [{ maxHidePenalty: 2 }, 'maxHidePenalty must be a number in [0, 1]'],
    [{ maxHidePenalty: null }, 'maxHidePenalty must be a number in [0, 1]'],
    [{ inNetworkSource: '' }, 'inNetworkSource must be a non-empty string'],
    [{ inNetworkSource: 3 }, 'inNetworkSource must be a non-empty string'],
  ])('rejects %o', (bad, problem) => {
    expect(problemsOf({ ...valid, ...bad })).toEqual([problem]);
  });

  it('rejects an unknown feature, naming it', () => {
    expect(problemsOf({ ...valid, weights: { freshness: 1, recency: 0.5 } })).toEqual([
      expect.stringContaining('unknown feature "recency"'),
    ]);
  });

  it.each([Number.NaN, Infinity, '0.5', null])('rejects the weight %s', (weight) => {
    expect(problemsOf({ ...valid, weights: { freshness: weight } })[0]).toMatch(/weights\.freshness must be a finite number/);
  });

  it('rejects JSON that is not an object', () => {
    expect(problemsOf([])).toEqual(['config must be a JSON object']);
    expect(problemsOf('x')).toEqual(['config must be a JSON object']);
  });

  it('lists every problem at once', () => {
    const problems = problemsOf({
      version: '',
      weights: {},
      freshnessHalfLifeHours: 0,
      engagementPriorViews: -1,
      engagementPriorMean: 2,
      sourceBoosts: { trending: 3 },
      followedAuthorAffinity: 2,
      maxHidePenalty: -1,
      extra: true,
    });
    expect(problems).toEqual([
      'unknown key "extra"',
      'version must be a non-empty string',
      'weights must name at least one feature',
      'freshnessHalfLifeHours must be a finite number > 0',
      'engagementPriorViews must be a finite number > 0',
      'engagementPriorMean must be a number in [0, 1]',
      'sourceBoosts.trending must be in [0, 1]',
      'followedAuthorAffinity must be a number in [0, 1]',
      'maxHidePenalty must be a number in [0, 1]',
    ]);
  });

  it('the error message carries the problems', () => {
    expect(() => parseModelConfig({ ...valid, version: 3 })).toThrow(/invalid ranking model config: version must be/);
  });
});
