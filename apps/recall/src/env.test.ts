import { cleanEnv } from 'envalid';
import { describe, expect, it } from 'vitest';
import { gatedTestHooks, recallEnvSpec, recallTestHooksSpec } from './env.js';

describe('recall test hooks', () => {
  const given = { RECALL_SOURCE_DELAY_MS_TRENDING: '5000' };

  it('are honoured only with FEEDMESH_TEST_HOOKS=enable', () => {
    const on = { ...given, FEEDMESH_TEST_HOOKS: 'enable' };
    expect(cleanEnv(on, gatedTestHooks(recallTestHooksSpec, on)).RECALL_SOURCE_DELAY_MS_TRENDING).toBe(5000);
    for (const off of [given, { ...given, FEEDMESH_TEST_HOOKS: 'true' }]) {
      expect(cleanEnv(off, gatedTestHooks(recallTestHooksSpec, off)).RECALL_SOURCE_DELAY_MS_TRENDING).toBe(0);
    }
  });

  it('are not in the production spec', () => {
    expect(Object.keys(recallEnvSpec).filter((name) => name in recallTestHooksSpec)).toEqual([]);
  });
});
