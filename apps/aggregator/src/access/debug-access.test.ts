import { Code, ConnectError, createContextValues, type HandlerContext } from '@connectrpc/connect';
import { callerKey, type Caller } from '@feedmesh/service-kit';
import { describe, expect, it } from 'vitest';
import { debugAccessFromSetting, type DebugSetting } from './debug-access.js';

const contextOf = (caller: Caller) => ({ values: createContextValues().set(callerKey, caller) }) as HandlerContext;
const endUser = contextOf({ kind: 'user', userId: 'u1' });
const bff = contextOf({ kind: 'service', name: 'bff', scopes: new Set(['act_as_user']) });
const anonymous = contextOf({ kind: 'anonymous' });

function refusal(setting: DebugSetting, ctx: HandlerContext): ConnectError | undefined {
  try {
    debugAccessFromSetting(setting).check(ctx);
    return undefined;
  } catch (e) {
    return e as ConnectError;
  }
}

describe('debugAccessFromSetting', () => {
  it('allow: every caller sees debug output', () => {
    for (const ctx of [endUser, bff, anonymous]) expect(refusal('allow', ctx)).toBeUndefined();
  });

  it('service: a service caller does; an end user and an unauthenticated caller get PermissionDenied naming debug', () => {
    expect(refusal('service', bff)).toBeUndefined();
    for (const ctx of [endUser, anonymous]) {
      const error = refusal('service', ctx);
      expect(error?.code).toBe(Code.PermissionDenied);
      expect(error?.rawMessage).toMatch(/^debug: only service callers/);
    }
  });

  it('deny: nobody does', () => {
    const error = refusal('deny', bff);
    expect(error).toBeInstanceOf(ConnectError);
    expect(error?.code).toBe(Code.PermissionDenied);
    expect(error?.rawMessage).toMatch(/^debug: /);
  });
});
