import { loadConfig } from '@feedmesh/service-kit';
import { describe, expect, it } from 'vitest';
import { rankingEnvSpec } from './env.js';

describe('rankingEnvSpec', () => {
  it('starts without the diversity variables that moved into the model file', () => {
    const env = loadConfig(rankingEnvSpec, 8082, {});
    expect(env.DIVERSITY_LOOKAHEAD).toBeUndefined();
  });

  it('refuses a diversity variable that moved into the model file, naming its new place', () => {
    expect(() => loadConfig(rankingEnvSpec, 8082, { DIVERSITY_MAX_SAME_AUTHOR_RUN: '3' })).toThrow(/DIVERSITY_MAX_SAME_AUTHOR_RUN[\s\S]*diversity\.maxSameAuthorRun/);
  });
});
